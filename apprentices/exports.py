"""CSV exports of the lists of apprentices and of contracts."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apprentices import status
from apprentices.filters import ApprenticeFilterSet, ContractFilterSet
from apprentices.models import Apprentice, Contract
from core.csvexport import CsvExport, columns, register


def _diploma(diploma):
    return f"{diploma.code} — {diploma.title}" if diploma else None


def _delay_end(apprentice):
    delay = status.situation_of(apprentice).delay
    return delay.last_day if delay else None


@register
class ApprenticeExport(CsvExport):
    name = "apprentices"
    title = _("Apprentis")
    filename = "apprentis"
    url_name = "apprentices:apprentice_export"
    filterset_class = ApprenticeFilterSet
    narrow_pages = True
    columns = columns(
        (_("Nom"), "last_name"),
        (_("Prénom"), "first_name"),
        (_("Date de naissance"), "birth_date"),
        (_("Sexe"), "get_sex_display"),
        (_("Mineur"), "is_minor"),
        (_("INE"), "ine"),
        (_("Adresse électronique"), "email"),
        (_("Téléphone"), "phone"),
        (_("Code postal"), "postal_code"),
        (_("Ville"), "city"),
        (_("Formation"), lambda a: _diploma(a.cohort.diploma) if a.cohort else None),
        (_("Promotion"), "cohort.label"),
        (_("Option"), "option.name"),
        (_("RQTH"), "rqth"),
        (_("Statut"), lambda a: status.situation_of(a).label),
        (_("Fin du délai légal"), _delay_end),
    )

    def base_queryset(self, user):
        """With each apprentice's status of today (apprentices.status), that the list filters on."""
        return status.annotate(
            Apprentice.objects.visible_to(user).select_related("cohort__diploma", "option"),
            timezone.localdate(),
        )


@register
class ContractExport(CsvExport):
    name = "contracts"
    title = _("Contrats d'apprentissage")
    filename = "contrats"
    url_name = "apprentices:contract_export"
    filterset_class = ContractFilterSet
    narrow_pages = True
    columns = columns(
        (_("Nom de l'apprenti"), "apprentice.last_name"),
        (_("Prénom de l'apprenti"), "apprentice.first_name"),
        (_("Formation"), lambda c: _diploma(c.diploma)),
        (_("Option"), "option.name"),
        (_("Promotion"), "apprentice.cohort.label"),
        (_("Employeur"), "employer.legal_name"),
        (_("SIRET"), "employer.siret"),
        (_("Maître d'apprentissage"), lambda c: str(c.company_tutor) if c.company_tutor else None),
        (_("Tuteur pédagogique"), lambda c: str(c.school_tutor) if c.school_tutor else None),
        (_("Date de début"), "start_date"),
        (_("Date de fin prévue"), "planned_end_date"),
        (_("Statut"), "get_status_display"),
        (_("Date de rupture"), "rupture_date"),
        (_("Cause de rupture"), "get_rupture_cause_display"),
        (_("Heures prévues"), "hours_planned"),
        (_("Heures réalisées"), "hours_done"),
        (_("Diplôme obtenu"), "get_diploma_outcome_display"),
        (_("Date d'obtention"), "diploma_outcome_date"),
    )

    def base_queryset(self, user):
        return Contract.objects.visible_to(user).with_people().select_related("apprentice__cohort")
