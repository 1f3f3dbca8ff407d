"""Writes of the quality app, by subject: :mod:`~quality.services.computation` (the indicators and
their runs), :mod:`~quality.services.thresholds` (thresholds, jalons, the minimum list of indicators),
:mod:`~quality.services.evidence` (documents and attestations), :mod:`~quality.services.meetings` (the
meeting register) and :mod:`~quality.services.campaigns` (the close of a year). Each write is atomic,
checks its rules (:mod:`~quality.services.checks`) with a French message (:class:`core.workflow.Refusal`)
and leaves an audit event; nothing is ever half-written.

Callers import the module of the subject they write: ``from quality.services import thresholds``.
"""
