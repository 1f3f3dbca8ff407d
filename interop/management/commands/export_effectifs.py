"""``manage.py export_effectifs [--organisation NAME] [--output PATH]``: the apprentices as a fichier
d'effectifs, for the Tableau de bord de l'apprentissage."""

from pathlib import Path

from django.core.management.base import BaseCommand

from interop.export import export_text
from interop.management.commands.import_effectifs import organisation_from


class Command(BaseCommand):
    help = "Exporte les apprentis au format du fichier d'effectifs (CSV ; UTF-8)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="Nom ou identifiant de l'organisation.")
        parser.add_argument("--output", help="Fichier à écrire (par défaut : la sortie standard).")

    def handle(self, organisation=None, output=None, **options):
        text = export_text(organisation_from(organisation).pk)
        if output:
            Path(output).write_text(text, encoding="utf-8", newline="")
            self.stdout.write(self.style.SUCCESS(f"Écrit : {output}"))
        else:
            self.stdout.write(text, ending="")
