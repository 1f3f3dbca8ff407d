"""System checks of the platform (``manage.py check``; ``runserver`` and so ``make run`` print them)."""

from django.core.checks import Warning, register

from core.pdf import SYSTEM_PACKAGES, weasyprint_problem


@register()
def pdf_libraries(app_configs, **kwargs):
    problem = weasyprint_problem()
    if problem is None:
        return []
    return [
        Warning(
            "Les documents PDF ne pourront pas être produits : WeasyPrint ne se charge pas. "
            "Le reste du site fonctionne.",
            hint=f"{problem} Sur Debian ou Ubuntu : sudo apt-get install {SYSTEM_PACKAGES}",
            id="core.W001",
        )
    ]
