"""``python manage.py compute_indicators [--year 2025-2026] [--diploma CODE]``"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apprentices.models import Diploma
from core.models import AcademicYear
from quality.models import Campaign
from quality.services import computation


class Command(BaseCommand):
    help = (
        "Calcule les indicateurs de la trajectoire qualité par formation et année scolaire "
        "(par défaut : l'année en cours, toutes les formations). "
        "Relancée, la commande réécrit les mêmes lignes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", help="Année scolaire, par exemple 2025-2026.")
        parser.add_argument("--diploma", help="Code court d'une formation, par exemple ING-ALB.")
        parser.add_argument("--quiet", action="store_true", help="N'affiche rien, sauf les erreurs.")

    def handle(self, *args, year=None, diploma=None, quiet=False, **options):
        if year:
            academic_year = AcademicYear.objects.filter(label=year).first()
            if academic_year is None:
                known = ", ".join(AcademicYear.objects.order_by("start_date").values_list("label", flat=True))
                raise CommandError(f"Année scolaire inconnue : {year}. Années connues : {known or 'aucune'}.")
        else:
            academic_year = AcademicYear.objects.current(timezone.localdate())
            if academic_year is None:
                raise CommandError("Aucune année scolaire n'est définie.")
        diplomas = Diploma.objects.all()
        if diploma:
            diplomas = diplomas.filter(code=diploma)
            if not diplomas.exists():
                raise CommandError(f"Formation inconnue : {diploma}.")
        # A closed campaign's year is frozen: its organisation's diplomas are left out, as the nightly
        # task does.
        closed = Campaign.objects.filter(academic_year=academic_year).values("organisation")
        skipped = diplomas.filter(organisation__in=closed).count()
        diplomas = diplomas.exclude(organisation__in=closed)
        if not diplomas.exists():
            raise CommandError(f"La campagne {academic_year} est close : ses valeurs sont figées.")
        if skipped and not quiet:
            self.stdout.write(
                f"Formations laissées de côté, leur campagne {academic_year} étant close : {skipped}."
            )
        started = time.monotonic()
        rows = computation.compute_indicators(year=academic_year, diplomas=diplomas)
        if not quiet:
            self.stdout.write(
                f"{rows} valeurs calculées, année {academic_year}, formations : {diplomas.count()}, "
                f"en {time.monotonic() - started:.1f} s."
            )
