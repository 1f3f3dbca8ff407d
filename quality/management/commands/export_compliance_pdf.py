"""``python manage.py export_compliance_pdf --year 2025-2026 (--diploma CODE | --all) --out FILE``"""

import os
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from apprentices.models import Diploma
from core.models import AcademicYear, Organisation
from quality.pdf import diploma_compliance_pdf, establishment_compliance_pdf


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it: a reader never sees half a PDF."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Écrit le PDF de conformité à la charte d'une formation (--diploma) ou de tout l'établissement "
        "(--all) pour une année scolaire."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Année scolaire, par exemple 2025-2026.")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--diploma", help="Code court d'une formation, par exemple ING-ALB.")
        which.add_argument("--all", action="store_true", help="Toutes les formations de l'établissement.")
        parser.add_argument("--out", required=True, help="Fichier PDF à écrire.")
        parser.add_argument(
            "--organisation",
            help="Nom, code UAI ou identifiant de l'organisation, s'il y en a plusieurs (avec --all).",
        )

    def handle(self, *args, year, diploma=None, all=False, out, organisation=None, **options):
        academic_year = AcademicYear.objects.filter(label=year).first()
        if academic_year is None:
            known = ", ".join(AcademicYear.objects.order_by("start_date").values_list("label", flat=True))
            raise CommandError(f"Année scolaire inconnue : {year}. Années connues : {known or 'aucune'}.")
        path = Path(out).expanduser().resolve()
        if not path.parent.is_dir():
            raise CommandError(f"Le dossier de destination n'existe pas : {path.parent}.")
        started = time.monotonic()
        if diploma:
            found = Diploma.objects.select_related("organisation").filter(code=diploma).first()
            if found is None:
                raise CommandError(f"Formation inconnue : {diploma}.")
            data = diploma_compliance_pdf(found, academic_year, by=None)
            what = f"formation {found.code}"
        else:
            chosen = self._organisation(organisation)
            data = establishment_compliance_pdf(chosen, academic_year, by=None)
            what = f"établissement {chosen.name}"
        write_atomically(path, data)
        self.stdout.write(
            f"PDF de conformité écrit : {path} ({what}, année {academic_year}, {len(data) // 1024} Ko, "
            f"en {time.monotonic() - started:.1f} s)."
        )

    def _organisation(self, wanted) -> Organisation:
        if wanted:
            lookup = Q(name=wanted) | Q(uai=wanted.upper())
            if wanted.isdigit():
                lookup |= Q(pk=int(wanted))
            found = Organisation.objects.filter(lookup).first()
            if found is None:
                raise CommandError(f"Organisation inconnue : {wanted}.")
            return found
        organisations = list(Organisation.objects.order_by("name")[:2])
        if not organisations:
            raise CommandError("Aucune organisation n'est définie.")
        if len(organisations) > 1:
            names = ", ".join(Organisation.objects.order_by("name").values_list("name", flat=True))
            raise CommandError(
                f"Plusieurs organisations existent ({names}) : précisez laquelle avec --organisation."
            )
        return organisations[0]
