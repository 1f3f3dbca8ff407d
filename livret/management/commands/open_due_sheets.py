import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from livret.services import sheets as services


class Command(BaseCommand):
    help = "Ouvre les fiches de liaison des périodes en entreprise qui se terminent (sans doublon)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Date de référence AAAA-MM-JJ (par défaut : aujourd'hui).")

    def handle(self, *args, **options):
        try:
            today = datetime.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("Date invalide : utilisez le format AAAA-MM-JJ.") from None
        created = services.open_due_sheets(today=today)
        self.stdout.write(f"Fiches de liaison ouvertes : {created}.")
