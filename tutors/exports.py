"""CSV export of the list of company tutors."""

from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _

from apprentices.models import Contract
from core.csvexport import CsvExport, columns, register
from core.viewutils import SubqueryCount
from tutors.filters import CompanyTutorFilterSet
from tutors.models import CompanyTutor


@register
class CompanyTutorExport(CsvExport):
    name = "tutors"
    title = _("Maîtres d'apprentissage")
    filename = "maitres-apprentissage"
    url_name = "tutors:tutor_export"
    filterset_class = CompanyTutorFilterSet
    narrow_pages = True
    columns = columns(
        (_("Nom"), "last_name"),
        (_("Prénom"), "first_name"),
        (_("Employeur"), "employer.legal_name"),
        (_("Fonction"), "job_title"),
        (_("Diplôme ou titre"), "qualification"),
        (_("Années d'expérience"), "years_of_experience"),
        (_("Adresse électronique"), "email"),
        (_("Téléphone"), "phone"),
        (_("Formé au tutorat"), "is_trained"),
        (_("Formation de tuteur suivie le"), "training_date"),
        (_("Contrats en cours"), "active_contracts"),
    )

    def base_queryset(self, user):
        running = Contract.objects.filter(company_tutor=OuterRef("pk"), status=Contract.Status.ACTIVE)
        return (
            CompanyTutor.objects.visible_to(user)
            .select_related("employer")
            .annotate(active_contracts=SubqueryCount(running.values("pk")))
        )
