"""The blank fichier d'effectifs that the import page offers, built from the column data of
:mod:`interop.columns`: a sheet "Modèle" with the template's header row, and a sheet
"Description des données" saying, column by column, what it holds, whether it is required, its format and
an example.

The descriptions and examples below are those of the official template (modele-import-29012025.xlsx):
facts about the format, kept here as data.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from interop.columns import COLUMNS, TEMPLATE_HEADERS

MODEL_SHEET = "Modèle"
DESCRIPTION_SHEET = "Description des données"

SECTIONS = {
    "nom_apprenant": "Informations concernant l'apprenant",
    "etablissement_responsable_uai": "Informations concernant l'organisme de formation",
    "annee_scolaire": "Informations concernant la formation suivie",
    "contrat_date_debut": "Informations concernant l'employeur et le contrat",
}
DESCRIPTIONS = {
    "nom_apprenant": "Nom de famille de l'apprenant (nom d'usage).",
    "prenom_apprenant": "Prénom de l'apprenant (uniquement le premier prénom)",
    "date_de_naissance_apprenant": "Date de naissance de l'apprenant",
    "sexe_apprenant": "Genre, sexe de l'apprenant",
    "code_postal_de_naissance_apprenant": "Code postal du lieu de naissance de l'apprenant",
    "email_contact": "Courriel de l'apprenant",
    "adresse_apprenant": (
        "Adresse principale actuelle de l’apprenant.\nIndiquer :\n- le N° de la voie\n- (éventuellement"
        " l’indice de répétition)\n- la nature de la voie (Route, avenue, rue, Impasse, etc…)\n- le "
        "complément (Résidence, Immeuble, étage, porte)\n- le libellé de la voie"
    ),
    "code_postal_apprenant": "Code postal du lieu d’habitation de l’apprenant",
    "ine_apprenant": (
        "Identifiant National Élève, inscrit dans le répertoire national des identifiants élèves, "
        "étudiants et apprentis”. Il est attribué automatiquement à tout élève, étudiant ou apprenti "
        "suivant une scolarité dans un établissement d'enseignement scolaire ou supérieur, ou une "
        "formation dans un centre de formation d'apprentis (CFA). Si un apprenant possède 2 INE, "
        "indiquez le dernier attribué en date."
    ),
    "tel_apprenant": "Numéro de téléphone portable ou fixe de l’apprenant",
    "rqth_apprenant": "Statut de travailleur handicapé de l'apprenant",
    "date_rqth_apprenant": "Date de reconnaissance du statut de travailleur handicapé de l'apprenant",
    "responsable_apprenant_mail1": "Courriel du 1er responsable légal de l'apprenant (parent ou tuteur)",
    "responsable_apprenant_mail2": "Courriel du 2eme responsable légal de l'apprenant (parent ou tuteur)",
    "dernier_organisme_uai": (
        "Numéro UAI de l’établissement fréquenté l’année dernière (N-1) ou numéro de département.\nSi "
        "déjà en apprentissage, mettre l’UAI du site de formation.\nCorrespond au champ SIFA ETAB_N_1"
    ),
    "derniere_situation": (
        "Cette variable est utilisée pour identifier les entrées en apprentissage de l’année parmi "
        "l’ensemble des apprentis.\nCorrespond au champ SIFA SIT_N_1"
    ),
    "type_cfa": (
        "Cette variable est utilisée pour SIFA\nCFA public (éducation nationale) : 01\nCFA public "
        "(enseignement supérieur) : 02\nCFA public agricole : 03\nCFA de collectivité territoriale : 04"
        "\nAutre CFA public : 05\nCFA consulaire : 06\nCFA de branche : 07\nCFA d'entreprise : 08\nCFA "
        "associatif : 09\nAutre CFA privé : 10"
    ),
    "etablissement_responsable_uai": (
        "Il s’agit du code UAI de l’établissement signataire du contrat d’apprentissage de l’apprenant,"
        " responsable de la gestion de la formation."
    ),
    "etablissement_responsable_siret": (
        "Système d'identification du répertoire des établissements. Code chiffré unique et officiel. "
        "Chaque établissement d’entreprise possède un SIRET. Il est attribué par l’INSEE, l’Institut "
        "National de la Statistique et des Etudes."
    ),
    "etablissement_formateur_uai": (
        "Il s’agit du code UAI de l’établissement qui accueille physiquement et forme l'apprenant. Il "
        "ne correspond pas nécessairement à l’établissement responsable de la gestion de la formation. "
        "Si l’apprenant est formé au sein de l’établissement responsable de la gestion de la formation,"
        " indiquez le même UAI et SIRET."
    ),
    "etablissement_formateur_siret": (
        "Système d'identification du répertoire des établissements. Code chiffré unique et officiel. "
        "Chaque établissement d’entreprise possède un SIRET. Il est attribué par l’INSEE, l’Institut "
        "National de la Statistique et des Etudes."
    ),
    "etablissement_lieu_de_formation_uai": (
        "Le lieu de formation est un espace aménagé spécialement pour y mener des ateliers pratiques, "
        "avec du matériel dédié à la manipulation (ex : atelier de carrosserie). Cet espace peut faire "
        "partie de l'établissement responsable ou formateur de la gestion de la formation (auquel cas, "
        "indiquer le même UAI et SIRET), mais cela n'est pas toujours le cas."
    ),
    "etablissement_lieu_de_formation_siret": (
        "Système d'identification du répertoire des établissements. Code chiffré unique et officiel. "
        "Chaque établissement d’entreprise possède un SIRET. Il est attribué par l’INSEE, l’Institut "
        "National de la Statistique et des Etudes."
    ),
    "etablissement_lieu_de_formation_adresse": (
        "Adresse principale du lieu de formation\nIndiquer :\n- le N° de la voie\n- (éventuellement "
        "l’indice de répétition)\n- la nature de la voie (Route, avenue, rue, Impasse, etc…)\n- le "
        "complément (Résidence, Immeuble, étage, porte)\n- le libellé de la voie"
    ),
    "etablissement_lieu_de_formation_code_postal": "Code postal du lieu de formation",
    "annee_scolaire": "Année scolaire en cours pour l'apprenant.",
    "annee_formation": (
        "Année de formation concernée. Se référer à la notice SIFA pour plus de précisions, disponible "
        "dans l’onglet Mon enquête SIFA."
    ),
    "formation_rncp": (
        "Code RNCP (Répertoire National des Certifications Professionnelles) de la formation suivie. "
        "Permet, par l’usage de ce code, d'identifier la formation concernée et pouvoir identifier les "
        "effectifs par typologie de formations et par secteur."
    ),
    "formation_cfd": (
        "Permet, par l’usage de ce code, d’identifier la formation concernée et les effectifs par "
        "typologie de formations et par secteur."
    ),
    "date_inscription_formation": (
        "Date à laquelle le jeune s’est inscrit sur sa formation (avec ou sans contrat)"
    ),
    "date_entree_formation": "Date à laquelle le jeune a démarré sa formation (avec ou sans contrat)",
    "date_fin_formation": "Date de fin prévisionnelle de la formation",
    "duree_theorique_formation_mois": (
        "Durée théorique de la formation, de la date d'inscription au diplôme, exprimée en mois."
    ),
    "libelle_court_formation": "Libellé court de la formation",
    "obtention_diplome_formation": (
        "Indiquez OUI (ou VRAI) si le diplôme a été obtenu à l'issue de la formation. Si le diplôme n’a"
        " pas été obtenu à l’issue de la formation, indiquez NON (ou FAUX). Si la formation est "
        "toujours en cours, ne pas remplir ce champ."
    ),
    "date_obtention_diplome_formation": (
        "Date d'obtention du diplôme correspondant à la formation. À remplir si le diplôme a été obtenu"
    ),
    "date_exclusion_formation": (
        "Date d'exclusion ou d'abandon de la formation (changement de CFA, exclusion…)"
    ),
    "cause_exclusion_formation": "Cause d'exclusion de la formation",
    "formation_presentielle": "Non si 100% à distance",
    "nom_referent_handicap_formation": "S'il y en a un affecté à cette formation",
    "prenom_referent_handicap_formation": "S'il y en a un affecté à cette formation",
    "email_referent_handicap_formation": "S'il y en a un affecté à cette formation",
    "contrat_date_debut": (
        "Date de début du 1er contrat d'apprentissage.\nSe référer à la date du CERFA ou de la Convention"
    ),
    "contrat_date_fin": (
        "Date de fin du 1er contrat d'apprentissage.\nSe référer à la date du CERFA ou de la Convention"
    ),
    "siret_employeur": "Siret de l'employeur chez qui est réalisé le 1er contrat d'apprentissage",
    "contrat_date_rupture": (
        "Date de rupture du 1er contrat d'apprentissage.\nSe référer à la date du CERFA ou de la Convention"
    ),
    "cause_rupture_contrat": "Cause de la rupture du 1er contrat d'apprentissage",
    "contrat_date_debut_2": (
        "Date de début du 2eme contrat suite à la rupture du 1er contrat.\nSe référer à la date du "
        "CERFA ou de la Convention"
    ),
    "contrat_date_fin_2": (
        "Date de fin du 2eme contrat suite à la rupture du 1er contrat.\nSe référer à la date du CERFA "
        "ou de la Convention"
    ),
    "siret_employeur_2": (
        "Siret de l'employeur chez qui est réalisé le 2e contrat après rupture du 1er contrat"
    ),
    "contrat_date_rupture_2": (
        "Date de rupture du 2eme contrat.\nSe référer à la date du CERFA ou de la Convention"
    ),
    "cause_rupture_contrat_2": "Cause de la rupture du 2eme contrat",
    "contrat_date_debut_3": (
        "Date de début du 3eme contrat après rupture du 2eme contrat.\nSe référer à la date du CERFA ou"
        " de la Convention"
    ),
    "contrat_date_fin_3": (
        "Date de fin prévisionnelle du 3e contrat\nSe référer à la date du CERFA ou de la Convention"
    ),
    "siret_employeur_3": (
        "Siret de l'employeur chez qui est réalisé le 3e contrat après rupture du 2e contrat"
    ),
    "contrat_date_rupture_3": (
        "Date de rupture du 3e contrat.\nSe référer à la date du CERFA ou de la Convention"
    ),
    "cause_rupture_contrat_3": "Cause de la rupture du 3e contrat",
    "contrat_date_debut_4": (
        "Date de début du 4eme contrat après rupture du 3eme contrat.\nSe référer à la date du CERFA ou"
        " de la Convention"
    ),
    "contrat_date_fin_4": (
        "Date de fin prévisionnelle du 4e contrat\nSe référer à la date du CERFA ou de la Convention"
    ),
    "siret_employeur_4": (
        "Siret de l'employeur chez qui est réalisé le 4e contrat après rupture du 3e contrat"
    ),
    "contrat_date_rupture_4": (
        "Date de rupture du 4e contrat\nSe référer à la date du CERFA ou de la Convention"
    ),
    "cause_rupture_contrat_4": "Cause de la rupture du 4e contrat",
}
EXAMPLES = {
    "nom_apprenant": "Dupuis",
    "prenom_apprenant": "Gaston",
    "date_de_naissance_apprenant": "1998-01-24",
    "sexe_apprenant": "F",
    "code_postal_de_naissance_apprenant": "44400",
    "email_contact": "gaston.dupuis@domain.tld",
    "adresse_apprenant": "64 bis, route de Paris",
    "code_postal_apprenant": "44000",
    "ine_apprenant": "1234567890A",
    "tel_apprenant": "0612345678 ou (+)33612345678",
    "rqth_apprenant": "VRAI",
    "date_rqth_apprenant": "2023-08-22",
    "responsable_apprenant_mail1": "marc.dupuis@domain.tld",
    "responsable_apprenant_mail2": "jeanne.dupuis@domain.tld",
    "dernier_organisme_uai": "0123456A ou 012",
    "derniere_situation": (
        "Pour une classe 1A de BTS l'an passé : 4001 pour un scolaire, 4101 pour un apprenti"
    ),
    "type_cfa": "10",
    "etablissement_responsable_uai": "0123456A",
    "etablissement_responsable_siret": "12345678901235",
    "etablissement_formateur_uai": "0123456A",
    "etablissement_formateur_siret": "12345678901235",
    "etablissement_lieu_de_formation_uai": "0123456A",
    "etablissement_lieu_de_formation_siret": "12345678901235",
    "etablissement_lieu_de_formation_adresse": "64 bis, route de Paris",
    "etablissement_lieu_de_formation_code_postal": "44000",
    "annee_scolaire": "2024-2025",
    "annee_formation": "Si c'est la deuxième année du CAP > 2",
    "formation_rncp": "RNCP12345",
    "formation_cfd": "50022145",
    "date_inscription_formation": "2022-09-28",
    "date_entree_formation": "2022-09-28",
    "date_fin_formation": "2022-09-28",
    "duree_theorique_formation_mois": "12",
    "libelle_court_formation": "CAP PATISSIER",
    "obtention_diplome_formation": "VRAI",
    "date_obtention_diplome_formation": "2022-09-28",
    "date_exclusion_formation": "2022-09-28",
    "cause_exclusion_formation": "Absences répétées et injustifiées",
    "formation_presentielle": "VRAI",
    "nom_referent_handicap_formation": "Dumas",
    "prenom_referent_handicap_formation": "Sylvie",
    "email_referent_handicap_formation": "jeanne.dupuis@domain.tld",
    "contrat_date_debut": "2023-01-11",
    "contrat_date_fin": "2024-06-11",
    "siret_employeur": "12345678901235",
    "contrat_date_rupture": "2024-06-11",
    "cause_rupture_contrat": "Absences répétées et injustifiées",
    "contrat_date_debut_2": "2023-01-11",
    "contrat_date_fin_2": "2024-06-11",
    "siret_employeur_2": "12345678901235",
    "contrat_date_rupture_2": "2024-06-11",
    "cause_rupture_contrat_2": "Absences répétées et injustifiées",
    "contrat_date_debut_3": "2023-01-11",
    "contrat_date_fin_3": "2024-06-11",
    "siret_employeur_3": "12345678901235",
    "contrat_date_rupture_3": "2024-06-11",
    "cause_rupture_contrat_3": "Absences répétées et injustifiées",
    "contrat_date_debut_4": "2023-01-11",
    "contrat_date_fin_4": "2024-06-11",
    "siret_employeur_4": "12345678901235",
    "contrat_date_rupture_4": "2024-06-11",
    "cause_rupture_contrat_4": "Absences répétées et injustifiées",
}


def template_workbook() -> bytes:
    """The template as an XLSX workbook (its bytes)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    model = workbook.active
    model.title = MODEL_SHEET
    # The header row only: the template's example row is in the description sheet, where it is never
    # imported by mistake.
    model.append(list(TEMPLATE_HEADERS))
    bold = Font(bold=True)
    for cell in model[1]:
        cell.font = bold
    for index, column in enumerate(COLUMNS, start=1):
        model.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(
            14, len(column.header) + 2
        )
    model.freeze_panes = "A2"

    sheet = workbook.create_sheet(DESCRIPTION_SHEET)
    sheet.append(["", _("Nom du champ"), _("Obligatoire"), _("Description"), _("Format"), _("Exemple")])
    for cell in sheet[1]:
        cell.font = bold
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in COLUMNS:
        sheet.append(
            [
                SECTIONS.get(column.name, ""),
                column.header,
                column.need.value,
                DESCRIPTIONS[column.name],
                column.format,
                EXAMPLES[column.name],
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    for letter, width in zip("ABCDEF", (28, 40, 24, 60, 50, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
