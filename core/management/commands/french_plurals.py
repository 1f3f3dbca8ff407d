"""Write the French catalogue of plural forms (core.i18n_plurals) and compile it; ``--check`` only says
whether it is up to date (for CI)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.i18n_plurals import expected_french_catalogue, locale_file


class Command(BaseCommand):
    help = "Écrit le catalogue français des pluriels (locale/fr) d'après le catalogue anglais."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Vérifie seulement que le catalogue est à jour."
        )

    def handle(self, *args, check=False, **options):
        path = locale_file("fr")
        expected = expected_french_catalogue()
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if check:
            if current != expected:
                raise CommandError(
                    "Le catalogue français des pluriels n'est pas à jour : lancez `manage.py french_plurals`."
                )
            self.stdout.write("Catalogue français des pluriels à jour.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected, encoding="utf-8")
        call_command(
            "compilemessages", locale=["fr"], ignore_patterns=[".venv", "locale_allauth"], verbosity=0
        )
        self.stdout.write(f"Catalogue français des pluriels écrit : {path}.")
