"""``python manage.py erase_expired_personal_data [--dry-run]``"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from privacy import services


class Command(BaseCommand):
    help = (
        "Anonymise les apprentis dont tous les contrats ont pris fin il y a plus de RETENTION_YEARS ans "
        "(identité, représentants légaux, compte). Relancée, la commande ne change plus rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Compte ce qui serait anonymisé, sans rien modifier."
        )

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        limit = services.cutoff(today)
        result = services.erase_expired(today, dry_run=dry_run)
        self.stdout.write(
            f"Durée de conservation : {settings.RETENTION_YEARS} ans "
            f"(contrats terminés avant le {limit:%d/%m/%Y})."
        )
        verb = "à anonymiser" if dry_run else "anonymisés"
        self.stdout.write(f"Apprentis {verb} : {result.apprentices}")
        self.stdout.write(f"Représentants légaux {verb} : {result.legal_representatives}")
        self.stdout.write(f"Comptes {'à désactiver' if dry_run else 'désactivés'} : {result.accounts}")
        if not dry_run:
            self.stdout.write(f"Signatures renommées : {result.signatures}")
            self.stdout.write(f"Événements d'audit expurgés : {result.audit_events}")
        else:
            self.stdout.write("Simulation : rien n'a été modifié.")
