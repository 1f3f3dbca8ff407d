"""CSV export of the list of employers."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from apprentices.models import Contract
from core.csvexport import CsvExport, columns, register
from employers.filters import EmployerFilterSet
from employers.models import Employer


@register
class EmployerExport(CsvExport):
    name = "employers"
    title = _("Employeurs")
    filename = "employeurs"
    url_name = "employers:employer_export"
    filterset_class = EmployerFilterSet
    columns = columns(
        (_("Raison sociale"), "legal_name"),
        (_("SIRET"), "siret"),
        (_("Code NAF"), "naf_code"),
        (_("Adresse"), "address"),
        (_("Code postal"), "postal_code"),
        (_("Ville"), "city"),
        (_("Contact RH"), "hr_contact_name"),
        (_("Adresse électronique du contact RH"), "hr_contact_email"),
        (_("Téléphone du contact RH"), "hr_contact_phone"),
        (_("Contrats en cours"), "active_contracts"),
    )

    def base_queryset(self, user):
        return Employer.objects.visible_to(user).annotate(
            active_contracts=Count(
                "contracts", filter=Q(contracts__status=Contract.Status.ACTIVE), distinct=True
            )
        )
