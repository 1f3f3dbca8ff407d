from django.urls import path

from quality.views import dashboard, exports, register, trajectory

app_name = "quality"

YEAR = "<str:year>"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("calculs/lancer/", dashboard.recompute, name="recompute"),
    path("calculs/<int:pk>/", dashboard.run_status, name="run_status"),
    path(f"campagnes/{YEAR}/cloturer/", dashboard.campaign_close, name="campaign_close"),
    path(f"formations/<int:pk>/{YEAR}/", trajectory.trajectory, name="trajectory"),
    path(f"formations/<int:pk>/{YEAR}/conformite.pdf", exports.compliance_pdf, name="compliance_pdf"),
    path(
        f"formations/<int:pk>/{YEAR}/indicateurs/<str:code>/",
        trajectory.indicator_records,
        name="indicator_records",
    ),
    path(f"formations/<int:pk>/{YEAR}/seuils/", trajectory.threshold_edit, name="thresholds"),
    path(f"formations/<int:pk>/{YEAR}/jalons/", trajectory.milestone_create, name="milestone_create"),
    path("jalons/<int:pk>/supprimer/", trajectory.milestone_delete, name="milestone_delete"),
    path(
        f"formations/<int:pk>/{YEAR}/indicateurs-suivis/",
        trajectory.followed_indicators,
        name="followed_indicators",
    ),
    path(
        f"formations/<int:pk>/{YEAR}/exigences/<int:requirement_pk>/attester/",
        trajectory.attest,
        name="attest",
    ),
    path("attestations/<int:pk>/retirer/", trajectory.attestation_withdraw, name="attestation_withdraw"),
    path("preuves/", register.evidence_list, name="evidence_list"),
    path("preuves/ajouter/", register.evidence_create, name="evidence_create"),
    path("preuves/<int:pk>/telecharger/", register.evidence_download, name="evidence_download"),
    path("reunions/", register.meeting_list, name="meeting_list"),
    path("reunions/nouvelle/", register.meeting_create, name="meeting_create"),
    path("reunions/<int:pk>/", register.meeting_detail, name="meeting_detail"),
]
