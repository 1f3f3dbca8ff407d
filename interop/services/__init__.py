"""Import of the fichier d'effectifs: :mod:`~interop.services.planning` reads the file and says what each
row would do (the preview, nothing written), :mod:`~interop.services.writing` applies a confirmed
preview in one transaction. The export back in the same format is :mod:`interop.export`.

Callers import the module of the step they take: ``from interop.services import planning``.
"""
