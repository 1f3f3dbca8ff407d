"""``manage.py export_effectifs [--organisation NAME] [--output PATH]``: the apprentices as a fichier
d'effectifs, for the Tableau de bord de l'apprentissage: an XLSX workbook when PATH ends in ``.xlsx``,
CSV otherwise."""

from pathlib import Path

from django.core.management.base import BaseCommand

from interop.export import export_rows, export_text, write_xlsx
from interop.management.commands.import_effectifs import organisation_from


class Command(BaseCommand):
    help = "Exporte les apprentis en fichier d'effectifs (XLSX si le fichier finit par .xlsx, sinon CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="Nom ou identifiant de l'organisation.")
        parser.add_argument("--output", help="Fichier à écrire (par défaut : la sortie standard, en CSV).")

    def handle(self, organisation=None, output=None, **options):
        organisation_id = organisation_from(organisation).pk
        if output and output.lower().endswith(".xlsx"):
            with open(output, "wb") as handle:
                count = write_xlsx(export_rows(organisation_id), handle)
            self.stdout.write(self.style.SUCCESS(f"Écrit : {output} ({count} lignes)"))
        elif output:
            Path(output).write_text(export_text(organisation_id), encoding="utf-8", newline="")
            self.stdout.write(self.style.SUCCESS(f"Écrit : {output}"))
        else:
            self.stdout.write(export_text(organisation_id), ending="")
