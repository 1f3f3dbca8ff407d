"""Where each column of the fichier d'effectifs goes on the platform, in words for the import's preview:
"Apprenti — nom", "Contrat 2 — date de début", or that the column is read but kept nowhere."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from interop.columns import CONTRACT_SLOTS

_APPRENTICE = {
    "nom_apprenant": _("Apprenti — nom"),
    "prenom_apprenant": _("Apprenti — prénom"),
    "date_de_naissance_apprenant": _("Apprenti — date de naissance"),
    "sexe_apprenant": _("Apprenti — sexe"),
    "email_contact": _("Apprenti — adresse électronique"),
    "adresse_apprenant": _("Apprenti — adresse"),
    "code_postal_apprenant": _("Apprenti — code postal"),
    "ine_apprenant": _("Apprenti — INE"),
    "tel_apprenant": _("Apprenti — téléphone"),
    "rqth_apprenant": _("Apprenti — RQTH"),
    "date_exclusion_formation": _("Apprenti — sortie de la formation le"),
    "cause_exclusion_formation": _("Apprenti — motif de sortie de la formation"),
}
_TRAINING = {
    "formation_rncp": _("Formation — code RNCP"),
    "formation_cfd": _("Formation — code CFD"),
    "annee_scolaire": _("Promotion — année scolaire"),
    "annee_formation": _("Promotion — année de formation"),
    "date_fin_formation": _("Contrat — date de fin prévue, quand la ligne n'en donne pas"),
    "obtention_diplome_formation": _("Dernier contrat — diplôme obtenu"),
    "date_obtention_diplome_formation": _("Dernier contrat — date d'obtention"),
    "etablissement_responsable_uai": _("Vérifié (UAI), non enregistré"),
    "etablissement_formateur_uai": _("Vérifié (UAI), non enregistré"),
    "etablissement_responsable_siret": _("Vérifié (SIRET), non enregistré"),
    "etablissement_formateur_siret": _("Vérifié (SIRET), non enregistré"),
}
_CONTRACT = {
    "contrat_date_debut": _("date de début"),
    "contrat_date_fin": _("date de fin prévue"),
    "siret_employeur": _("employeur (SIRET)"),
    "contrat_date_rupture": _("date de rupture"),
    "cause_rupture_contrat": _("cause de rupture"),
}
READ_ONLY = _("Reconnue, non enregistrée par la plateforme")


def destination(column: str) -> str:
    """Where the template's ``column`` goes on the platform, in French."""
    if column in _APPRENTICE:
        return str(_APPRENTICE[column])
    if column in _TRAINING:
        return str(_TRAINING[column])
    for slot in CONTRACT_SLOTS:
        for name, label in _CONTRACT.items():
            if column == f"{name}{slot}":
                number = slot.removeprefix("_") or "1"
                return _("Contrat %(n)s — %(field)s") % {"n": number, "field": label}
    return str(READ_ONLY)
