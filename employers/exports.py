"""CSV export of the list of employers."""

from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _

from apprentices.models import Contract
from core.csvexport import CsvExport, columns, register
from core.viewutils import SubqueryCount
from employers.filters import EmployerFilterSet
from employers.models import Employer


@register
class EmployerExport(CsvExport):
    name = "employers"
    title = _("Employeurs")
    filename = "employeurs"
    url_name = "employers:employer_export"
    filterset_class = EmployerFilterSet
    narrow_pages = True
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
        running = Contract.objects.filter(employer=OuterRef("pk"), status=Contract.Status.ACTIVE)
        return Employer.objects.visible_to(user).annotate(
            active_contracts=SubqueryCount(running.values("pk"))
        )
