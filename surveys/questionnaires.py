"""The questionnaires shipped with the platform, in French, as data: loaded by ``migrate`` (migration
``0002``) as templates (no organisation) that the staff copy and adapt.

Questions that the indicators read carry a code: ``situation`` (its option codes are those of
:class:`surveys.models.Situation`) and ``first_job_date`` in the insertion questionnaires; the scale
questions of the satisfaction questionnaires make their score.
"""

from __future__ import annotations

YES_NO = [{"code": "yes", "label": "Oui"}, {"code": "no", "label": "Non"}]


def scale(text, code="", help_text=""):
    return {"type": "scale", "text": text, "code": code, "help_text": help_text, "required": True}


def single(text, options, code="", required=True, help_text=""):
    return {
        "type": "single",
        "text": text,
        "code": code,
        "options": options,
        "required": required,
        "help_text": help_text,
    }


def free_text(text, code="comment"):
    return {"type": "text", "text": text, "code": code, "required": False, "help_text": ""}


IF_EMPLOYED = "Si vous êtes en emploi."


def insertion(months: int) -> dict:
    return {
        "template_code": f"insertion-{months}-mois",
        "kind": f"insertion_{months}",
        "title": f"Enquête d'insertion à {months} mois",
        "introduction": (
            f"Vous avez terminé votre apprentissage il y a environ {months} mois. Vos réponses nous aident à "
            "mesurer l'insertion des apprentis et à améliorer la formation. Cinq minutes suffisent."
        ),
        "questions": [
            single(
                "Quelle est votre situation aujourd'hui ?",
                [
                    {"code": "employed", "label": "En emploi"},
                    {"code": "studies", "label": "En poursuite d'études"},
                    {"code": "looking", "label": "En recherche d'emploi"},
                    {"code": "other", "label": "Autre situation"},
                ],
                code="situation",
            ),
            single(
                "Quel est votre type de contrat ?",
                [
                    {"code": "cdi", "label": "CDI"},
                    {"code": "cdd", "label": "CDD"},
                    {"code": "interim", "label": "Intérim"},
                    {"code": "public", "label": "Fonction publique"},
                    {"code": "independent", "label": "Indépendant ou création d'entreprise"},
                    {"code": "other", "label": "Autre contrat"},
                ],
                code="contract_type",
                required=False,
                help_text=IF_EMPLOYED,
            ),
            single(
                "Travaillez-vous à temps plein ou à temps partiel ?",
                [{"code": "full", "label": "Temps plein"}, {"code": "part", "label": "Temps partiel"}],
                code="working_time",
                required=False,
                help_text=IF_EMPLOYED,
            ),
            single(
                "Votre emploi est-il en rapport avec le diplôme préparé ?",
                YES_NO,
                code="related",
                required=False,
                help_text=IF_EMPLOYED,
            ),
            single(
                "Travaillez-vous chez l'employeur de votre apprentissage ?",
                YES_NO,
                code="same_employer",
                required=False,
                help_text=IF_EMPLOYED,
            ),
            {
                "type": "date",
                "text": "À quelle date avez-vous commencé votre premier emploi après l'apprentissage ?",
                "code": "first_job_date",
                "required": False,
                "help_text": "Si vous avez travaillé depuis la fin de votre contrat.",
            },
            free_text("Souhaitez-vous ajouter quelque chose ?"),
        ],
    }


TEMPLATES = [
    {
        "template_code": "satisfaction-apprentis",
        "kind": "satisfaction_apprentice",
        "title": "Enquête de satisfaction des apprentis",
        "introduction": "Donnez votre avis sur votre formation en apprentissage : de 1 (pas du tout "
        "satisfait) à 5 (très satisfait).",
        "questions": [
            scale("Êtes-vous satisfait de votre formation dans son ensemble ?"),
            scale("Êtes-vous satisfait de la qualité des enseignements ?"),
            scale("Êtes-vous satisfait de l'accompagnement de votre tuteur pédagogique ?"),
            scale("Êtes-vous satisfait de l'accompagnement de votre maître d'apprentissage ?"),
            scale("Les périodes en centre de formation et en entreprise se complètent-elles bien ?"),
            single("Recommanderiez-vous cette formation en apprentissage ?", YES_NO, code="recommend"),
            free_text("Que faudrait-il améliorer ?"),
        ],
    },
    {
        "template_code": "satisfaction-employeurs",
        "kind": "satisfaction_employer",
        "title": "Enquête de satisfaction des employeurs et maîtres d'apprentissage",
        "introduction": "Donnez votre avis sur l'accueil d'un apprenti avec notre établissement : de 1 "
        "(pas du tout satisfait) à 5 (très satisfait).",
        "questions": [
            scale("Êtes-vous satisfait de votre partenariat avec l'établissement dans son ensemble ?"),
            scale("Êtes-vous satisfait des échanges avec le tuteur pédagogique ?"),
            scale("Le livret d'apprentissage vous aide-t-il à suivre l'apprenti ?"),
            scale("La formation prépare-t-elle l'apprenti aux missions de votre entreprise ?"),
            single("Accueilleriez-vous de nouveau un apprenti de cette formation ?", YES_NO, code="again"),
            free_text("Que faudrait-il améliorer ?"),
        ],
    },
    {
        "template_code": "fin-de-formation-apprentis",
        "kind": "end_apprentice",
        "title": "Évaluation de fin de formation par l'apprenti",
        "introduction": "Votre formation s'achève : dites-nous ce qu'elle vous a apporté, de 1 (pas du "
        "tout) à 5 (tout à fait).",
        "questions": [
            scale("Les objectifs de la formation ont-ils été atteints ?"),
            scale("Avez-vous acquis les compétences attendues du diplôme ?"),
            scale("Vos missions en entreprise correspondaient-elles à la formation ?"),
            scale("Êtes-vous satisfait de l'ensemble de votre parcours en apprentissage ?"),
            free_text("Que retenez-vous de votre formation ? Que changeriez-vous ?"),
        ],
    },
    {
        "template_code": "fin-de-formation-ma",
        "kind": "end_tutor",
        "title": "Évaluation de fin de formation par le maître d'apprentissage",
        "introduction": "Le contrat de votre apprenti s'achève : donnez votre évaluation, de 1 (pas du "
        "tout) à 5 (tout à fait).",
        "questions": [
            scale("L'apprenti a-t-il acquis les compétences attendues dans votre entreprise ?"),
            scale("La formation était-elle adaptée aux missions confiées ?"),
            scale("Le suivi par l'établissement (visites, livret) a-t-il été utile ?"),
            scale("Êtes-vous satisfait de l'apprentissage dans son ensemble ?"),
            free_text("Vos remarques pour faire évoluer la formation :"),
        ],
    },
    insertion(6),
    insertion(12),
]


def load(apps) -> None:
    """Create or update the templates (idempotent: keyed by their codes). ``apps`` is a migration's app
    registry, or ``django.apps.apps``."""
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Question = apps.get_model("surveys", "Question")
    for data in TEMPLATES:
        questionnaire, _created = Questionnaire.objects.update_or_create(
            organisation=None,
            template_code=data["template_code"],
            defaults={"kind": data["kind"], "title": data["title"], "introduction": data["introduction"]},
        )
        for order, q in enumerate(data["questions"], start=1):
            Question.objects.update_or_create(
                questionnaire=questionnaire,
                order=order,
                defaults={
                    "code": q.get("code", ""),
                    "text": q["text"],
                    "help_text": q.get("help_text", ""),
                    "type": q["type"],
                    "required": q.get("required", True),
                    "options": q.get("options", []),
                },
            )
