"""``manage.py import_effectifs PATH [--dry-run] [--organisation NAME] [--by EMAIL]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.audit import acting_as
from core.models import Organisation, User
from interop.models import ImportReport, ImportRow
from interop.readers import FileRefused
from interop.services import planning, writing


def organisation_from(value):
    if value:
        found = Organisation.objects.filter(name=value) | Organisation.objects.filter(
            pk=int(value) if value.isdigit() else None
        )
        organisation = found.first()
        if organisation is None:
            raise CommandError(f"Organisation inconnue : {value}")
        return organisation
    organisations = list(Organisation.objects.all()[:2])
    if len(organisations) != 1:
        raise CommandError("Plusieurs organisations (ou aucune) : précisez --organisation.")
    return organisations[0]


class Command(BaseCommand):
    help = "Importe un fichier d'effectifs (CSV ou XLSX) : aperçu ligne par ligne, puis import."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="Aperçu seulement : rien n'est écrit.")
        parser.add_argument("--organisation", help="Nom ou identifiant de l'organisation.")
        parser.add_argument("--by", help="Adresse électronique de la personne de l'équipe qui importe.")

    def handle(self, path, dry_run=False, organisation=None, by=None, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        org = organisation_from(organisation)
        user = User.objects.filter(email__iexact=by).first() if by else None
        if by and user is None:
            raise CommandError(f"Personne inconnue : {by}")
        data = file.read_bytes()
        try:
            if dry_run:
                preview = planning.build_preview(organisation=org, data=data, file_name=file.name)
                self._summary(preview.plans, preview.ignored_columns)
                self.stdout.write("Aperçu seulement (--dry-run) : rien n'a été écrit.")
                return
            with acting_as(user, via="command"):
                report = planning.preview_import(organisation=org, data=data, file_name=file.name, by=user)
                self._summary(list(report.rows.all()), report.ignored_columns)
                # The command runs the import here and now, however large the file.
                ImportReport.objects.filter(pk=report.pk).update(
                    status=ImportReport.Status.APPLYING, applied_by=user
                )
                report = writing.apply_import(report.pk)
        except FileRefused as error:
            raise CommandError(error.message) from None
        if report.status != report.Status.DONE:
            raise CommandError(report.error or "L'import a échoué.")
        self.stdout.write(self.style.SUCCESS(f"Import n° {report.pk} terminé : {report.counts}"))

    def _summary(self, rows, ignored):
        tally = {}
        for row in rows:
            tally[row.action] = tally.get(row.action, 0) + 1
            if row.action == ImportRow.Action.REJECTED:
                reasons = " ; ".join(f"{c or 'ligne'} : {m}" for c, m in row.errors)
                self.stdout.write(f"ligne {row.line} rejetée — {reasons}")
        labels = dict(ImportRow.Action.choices)
        self.stdout.write(", ".join(f"{labels[a]} : {tally.get(a, 0)}" for a in labels))
        if ignored:
            self.stdout.write("Colonnes ignorées : " + ", ".join(ignored))
