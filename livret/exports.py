"""CSV exports of the booklet's lists: liaison sheets, company visits, mission descriptions."""

from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.csvexport import CsvExport, columns, register
from livret.filters import MissionFilterSet, SheetFilterSet, VisitFilterSet
from livret.models import LiaisonSheet, MissionDescription, VisitReport
from livret.selectors import sheets_with_context


def _person(obj):
    return str(obj) if obj else None


CONTRACT_COLUMNS = (
    (_("Nom de l'apprenti"), "contract.apprentice.last_name"),
    (_("Prénom de l'apprenti"), "contract.apprentice.first_name"),
    (_("Formation"), "contract.diploma.code"),
    (_("Employeur"), "contract.employer.legal_name"),
    (_("Maître d'apprentissage"), lambda d: _person(d.contract.company_tutor)),
    (_("Tuteur pédagogique"), lambda d: _person(d.contract.school_tutor)),
)


@register
class SheetExport(CsvExport):
    name = "sheets"
    title = _("Fiches de liaison")
    filename = "fiches-de-liaison"
    url_name = "livret:sheet_export"
    filterset_class = SheetFilterSet
    narrow_pages = True
    columns = columns(
        *CONTRACT_COLUMNS,
        (_("Période en entreprise du"), "period.start_date"),
        (_("Période en entreprise au"), "period.end_date"),
        (_("À rendre le"), "due_date"),
        (_("État"), "get_status_display"),
        (_("En retard"), "is_overdue"),
        (_("Version"), "version"),
        (_("Transmise le"), "submitted_at"),
        (_("Contresignée le"), "countersigned_at"),
        (_("Lue le"), "reviewed_at"),
    )

    def base_queryset(self, user):
        return sheets_with_context(LiaisonSheet.objects.visible_to(user).current()).select_related(
            "contract__diploma"
        )


@register
class VisitExport(CsvExport):
    name = "visits"
    title = _("Visites en entreprise")
    filename = "visites"
    url_name = "livret:visit_report_export"
    filterset_class = VisitFilterSet
    narrow_pages = True
    columns = columns(
        *CONTRACT_COLUMNS,
        (_("Date"), "day"),
        (_("Date prévue"), "planned_date"),
        (_("Date de la rencontre"), "held_on"),
        (_("Entretien de démarrage"), "is_start_meeting"),
        (_("Modalité"), "get_mode_display"),
        (_("État"), "get_status_display"),
        (_("Apprenti présent"), "apprentice_present"),
        (_("Maître d'apprentissage présent"), "company_tutor_present"),
        (_("Rédigé par"), lambda v: _person(v.author)),
        (_("Motif d'annulation"), "cancel_reason"),
    )

    def base_queryset(self, user):
        return (
            VisitReport.objects.visible_to(user)
            .select_related(
                "contract__apprentice",
                "contract__employer",
                "contract__diploma",
                "contract__company_tutor",
                "contract__school_tutor__user",
                "author",
            )
            .annotate(day=Coalesce("held_on", "planned_date"))
        )


@register
class MissionExport(CsvExport):
    name = "missions"
    title = _("Descriptions des missions")
    filename = "missions"
    url_name = "livret:mission_export"
    filterset_class = MissionFilterSet
    narrow_pages = True
    columns = columns(
        *CONTRACT_COLUMNS,
        (_("Année scolaire"), "academic_year.label"),
        (_("Version"), "version"),
        (_("État"), "get_status_display"),
        (_("Sujet du projet"), "project_subject"),
        (_("Soumise le"), "submitted_at"),
        (_("Décision le"), "decided_at"),
    )

    def base_queryset(self, user):
        return (
            MissionDescription.objects.visible_to(user)
            .current()
            .select_related(
                "academic_year",
                "contract__apprentice",
                "contract__employer",
                "contract__diploma",
                "contract__company_tutor",
                "contract__school_tutor__user",
            )
        )
