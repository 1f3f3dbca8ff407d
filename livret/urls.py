from django.urls import path

from core.workflow import views as link_pages
from livret.links import EVALUATION, SHEET, VISIT
from livret.views import calendar, evaluations, exports, missions, sheets, visits

app_name = "livret"

urlpatterns = [
    path("apprentis/<int:apprentice_pk>/", sheets.booklet, name="booklet"),
    # Mon agenda: a private calendar address, and its feed (no login: the token is the key)
    path("agenda/", calendar.my_calendar, name="my_calendar"),
    path("agenda/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    path("apprentis/<int:apprentice_pk>/livret.pdf", exports.booklet_pdf, name="booklet_pdf"),
    # Fiches de liaison
    path("fiches/", sheets.sheet_list, name="sheet_list"),
    path("fiches/export.csv", sheets.sheet_export, name="sheet_export"),
    path("fiches/<int:pk>/", sheets.sheet_detail, name="sheet_detail"),
    path("fiches/<int:pk>/enregistrer/", sheets.sheet_save, name="sheet_save"),
    path("fiches/<int:pk>/contresigner/", sheets.sheet_countersign, name="sheet_countersign"),
    path("fiches/<int:pk>/renvoyer/", sheets.sheet_return, name="sheet_return"),
    path("fiches/<int:pk>/lire/", sheets.sheet_review, name="sheet_review"),
    path("fiches/<int:pk>/corriger/", sheets.sheet_correct, name="sheet_correct"),
    path("fiches/<int:pk>/lien/<str:token>/", link_pages.link, {"kind": SHEET.name}, name="sheet_link"),
    path(
        "fiches/<int:pk>/lien/<str:token>/renvoyer/",
        link_pages.resend,
        {"kind": SHEET.name},
        name="sheet_link_resend",
    ),
    path(
        "fiches/<int:pk>/lien/<str:token>/recu.pdf",
        link_pages.receipt,
        {"kind": SHEET.name},
        name="sheet_link_receipt",
    ),
    # Visites en entreprise
    path("visites/", visits.visit_list, name="visit_list"),
    path("visites/registre/", visits.visit_report_list, name="visit_report_list"),
    path("visites/registre/export.csv", visits.visit_report_export, name="visit_report_export"),
    path("contrats/<int:contract_pk>/visites/", visits.contract_visits, name="contract_visits"),
    path("contrats/<int:contract_pk>/visites/planifier/", visits.visit_plan, name="visit_plan"),
    path("visites/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visites/<int:pk>/compte-rendu/", visits.visit_log, name="visit_log"),
    path("visites/<int:pk>/compte-rendu.pdf", exports.visit_pdf, name="visit_pdf"),
    path("visites/<int:pk>/annuler/", visits.visit_cancel, name="visit_cancel"),
    path("visites/<int:pk>/deplacer/", visits.visit_move, name="visit_move"),
    path("visites/<int:pk>/corriger/", visits.visit_correct, name="visit_correct"),
    path(
        "visites/<int:pk>/corriger/abandonner/",
        visits.visit_discard_correction,
        name="visit_discard_correction",
    ),
    path("visites/versions/<int:pk>/", visits.visit_version, name="visit_version"),
    path("visites/<int:pk>/prendre-connaissance/", visits.visit_acknowledge, name="visit_acknowledge"),
    path("visites/<int:pk>/lien/<str:token>/", link_pages.link, {"kind": VISIT.name}, name="visit_link"),
    path(
        "visites/<int:pk>/lien/<str:token>/renvoyer/",
        link_pages.resend,
        {"kind": VISIT.name},
        name="visit_link_resend",
    ),
    path(
        "visites/<int:pk>/lien/<str:token>/recu.pdf",
        link_pages.receipt,
        {"kind": VISIT.name},
        name="visit_link_receipt",
    ),
    path("actions/<int:pk>/fermer/", visits.action_close, name="action_close"),
    # Descriptions des missions
    path("missions/", missions.mission_list, name="mission_list"),
    path("missions/export.csv", missions.mission_export, name="mission_export"),
    path("contrats/<int:contract_pk>/missions/nouvelle/", missions.mission_create, name="mission_create"),
    path("missions/<int:pk>/", missions.mission_detail, name="mission_detail"),
    path("missions/<int:pk>/enregistrer/", missions.mission_save, name="mission_save"),
    path("missions/<int:pk>/valider/", missions.mission_validate, name="mission_validate"),
    path("missions/<int:pk>/renvoyer/", missions.mission_return, name="mission_return"),
    path("missions/<int:pk>/corriger/", missions.mission_correct, name="mission_correct"),
    path("missions/<int:pk>/relancer/", missions.mission_remind, name="mission_remind"),
    # Grilles d'évaluation
    path(
        "contrats/<int:contract_pk>/evaluations/",
        evaluations.contract_evaluations,
        name="contract_evaluations",
    ),
    path(
        "contrats/<int:contract_pk>/evaluations/ouvrir/", evaluations.evaluation_open, name="evaluation_open"
    ),
    path("contrats/<int:contract_pk>/grille-partagee/", evaluations.grid_sharing, name="grid_sharing"),
    path("evaluations/<int:pk>/", evaluations.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/enregistrer/", evaluations.evaluation_save, name="evaluation_save"),
    path(
        "evaluations/<int:pk>/lien/<str:token>/",
        link_pages.link,
        {"kind": EVALUATION.name},
        name="evaluation_link",
    ),
    path(
        "evaluations/<int:pk>/lien/<str:token>/renvoyer/",
        link_pages.resend,
        {"kind": EVALUATION.name},
        name="evaluation_link_resend",
    ),
    path(
        "evaluations/<int:pk>/lien/<str:token>/recu.pdf",
        link_pages.receipt,
        {"kind": EVALUATION.name},
        name="evaluation_link_receipt",
    ),
]
