import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from livret import reminders


class Command(BaseCommand):
    help = "Enregistre les relances du jour et envoie à chacun son récapitulatif quotidien (sans doublon)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Date de référence AAAA-MM-JJ (par défaut : aujourd'hui).")

    def handle(self, *args, **options):
        try:
            today = datetime.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("Date invalide : utilisez le format AAAA-MM-JJ.") from None
        recorded = reminders.record_reminders(today=today)
        sent = reminders.send_digests(today=today)
        self.stdout.write(f"Relances enregistrées : {recorded}. Récapitulatifs envoyés : {sent}.")
