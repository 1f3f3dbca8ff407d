"""The charter's annex, « La trajectoire de la qualité », as data: loaded by ``migrate`` (migration
``0002``), never typed into templates.

The texts are the annex's own words (seed ``002``). The annex is a table per poste whose rows may hold
several périmètres sharing one socle cell and one cible cell: each row below keeps that grouping, and
an item of a shared cell belongs to every périmètre of its row. One reading of ours: the row of
périmètre 1.3 leaves its cible cell empty, while the cible of poste 1 (« Mesurer les évolutions du
pilotage » : indicateurs de pilotage par diplôme, révision annuelle de la liste des indicateurs et
jalons) is about 1.3's own subject; its items are given to the three périmètres of the poste.

Each item becomes requirements (what the platform checks). Thresholds of socle requirements are the
charter's floor as the platform reads it: where the charter states a rule for every apprentice (two
meetings a year, a decision within a week), 90 % of the contracts, leaving room for a case the team
explains; where it states a collective act (an annual comité, a debrief per quarter, referents named),
the act itself. A diploma may raise a floor, never lower it; jalons and cible thresholds are its own.
The cible thresholds of poste 4's job offers (five offers in the year, 80 % of the former apprentices
reached by the digest, 20 % of them using the offers page) are our reading, for each diploma to adjust.
"""

from __future__ import annotations

# Requirement helpers: (code, kind, label, indicator, comparison, threshold, evidence_kind)


def computed(code, label, indicator, comparison, threshold=None):
    return {
        "code": code,
        "kind": "computed",
        "label": label,
        "indicator": indicator,
        "comparison": comparison,
        "threshold": threshold,
    }


def evidence(code, label, kind):
    return {"code": code, "kind": "evidence", "label": label, "evidence_kind": kind}


def checklist(code, label):
    return {"code": code, "kind": "checklist", "label": label}


AT_LEAST, AT_MOST, AVAILABLE = ">=", "<=", "ok"

POSTES = [
    {
        "number": 1,
        "title": "Pilotage de la formation",
        "rows": [
            {
                "perimeters": [
                    {
                        "code": "1.1",
                        "title": "Organisation de la formation",
                        "short_title": "Organisation",
                        "scope": [
                            "Mise en place d'un comité de pilotage (composition, rôle et organisation)",
                            "Programmation d'une réunion de rentrée apprentissage",
                            "Planification des réunions pédagogiques",
                            "Programmation des visites chez l'employeur",
                            "Organisation des retours des apprentis après chaque période en milieu "
                            "professionnel",
                            "Recueil et exploitation des retours d'expérience : Recueil des retours des parties "
                            "prenantes : délégués apprentis, maîtres d'apprentissage, tuteurs, CFA ; "
                            "Contribution des employeurs/maîtres d'apprentissage à l'évolution de la "
                            "formation ; Bilan de la relation entre le CFA et l'établissement",
                        ],
                    },
                    {
                        "code": "1.2",
                        "title": "Suivi de la formation par les acteurs",
                        "short_title": "Suivi par les acteurs",
                        "scope": [
                            "Système d'information du CFA intégrant toutes les étapes : avant, pendant et "
                            "après la formation, et accessible à toutes les parties",
                            "Livret avec des échanges en temps réel entre le tuteur enseignant et "
                            "l'entreprise sur l'écart entre la formation et les compétences attendues",
                        ],
                    },
                ],
                "socle_objective": "Définir les paramètres d'un pilotage qualitatif en termes "
                "d'organisation et de suivi des formations, et de suivi des indicateurs de formation",
                "cible_objective": "Mesurer les évolutions du pilotage",
                "socle": [
                    {
                        "text": "Un comité de pilotage annuel impliquant toutes les parties prenantes et les "
                        "représentants des branches ou organisations professionnelles, actualisant pour "
                        "chaque diplôme les compétences attendues, le parcours de formation, le rythme "
                        "d'alternance, etc.",
                        "requirements": [
                            computed(
                                "p1-copil-annuel",
                                "Comité de pilotage de l'année tenu, son compte rendu déposé",
                                "steering_committee",
                                AT_LEAST,
                                1,
                            ),
                            checklist(
                                "p1-copil-composition",
                                "Le comité associe toutes les parties prenantes et les branches ou "
                                "organisations professionnelles, et actualise compétences, parcours et rythme",
                            ),
                        ],
                    },
                    {
                        "text": "Participation des parties prenantes au conseil de perfectionnement de "
                        "l'établissement et du CFA",
                        "requirements": [
                            computed(
                                "p1-conseil-perfectionnement",
                                "Conseil de perfectionnement de l'année tenu avec les parties prenantes",
                                "council_meetings",
                                AT_LEAST,
                                1,
                            )
                        ],
                    },
                    {
                        "text": "Développement d'un outil de relation entre les parties prenantes",
                        "requirements": [
                            computed(
                                "p1-outil-relation",
                                "Le livret relie les parties : fiches contresignées lues par le tuteur "
                                "pédagogique",
                                "sheets_reviewed",
                                AT_LEAST,
                                50,
                            )
                        ],
                    },
                    {
                        "text": "Prise en compte des retours des maîtres d'apprentissage pour l'adaptation de "
                        "certains cours et/ou pour compléter les compétences",
                        "requirements": [
                            checklist(
                                "p1-retours-ma",
                                "Les retours des maîtres d'apprentissage ont conduit à adapter des cours ou "
                                "compléter des compétences (exemple à l'appui)",
                            )
                        ],
                    },
                ],
                "cible": [
                    {
                        "text": "Au sein du comité de pilotage, définition, suivi, analyse et communication "
                        "des indicateurs de pilotage par diplôme",
                        "requirements": [
                            computed(
                                "p1-indicateurs-pilotage",
                                "Indicateurs de pilotage retenus pour la formation",
                                "followed_indicators",
                                AT_LEAST,
                                8,
                            ),
                            checklist(
                                "p1-indicateurs-analyses",
                                "Les indicateurs sont analysés et communiqués au comité de pilotage",
                            ),
                        ],
                    },
                    {
                        "text": "Révision annuelle de la liste des indicateurs et jalons dans une optique "
                        "d'amélioration continue",
                        "requirements": [
                            computed(
                                "p1-revision-annuelle",
                                "Seuils ou jalons de la formation révisés dans l'année",
                                "thresholds_revised",
                                AT_LEAST,
                                1,
                            )
                        ],
                    },
                ],
                # See the module's docstring: the poste's cible also covers périmètre 1.3.
                "cible_also_for": ["1.3"],
            },
            {
                "perimeters": [
                    {
                        "code": "1.3",
                        "title": "Suivi des indicateurs de la formation (pour chaque étape du système de "
                        "qualité et chaque process)",
                        "short_title": "Suivi des indicateurs",
                        "scope": [
                            "Enquête de satisfaction (apprentis et employeurs)",
                            "Taux de réalisation de la formation (heures prévues et heures réalisées)",
                            "Evaluation de la qualité du suivi par l'employeur et l'établissement",
                            "Suivi du taux d'échec, du taux de rupture, du taux d'abandon, du taux "
                            "d'insertion professionnelle à X mois (sécurisation du parcours de l'étudiant)",
                        ],
                    }
                ],
                "socle_objective": "Définir les paramètres d'un pilotage qualitatif en termes "
                "d'organisation et de suivi des formations, et de suivi des indicateurs de formation",
                "cible_objective": "Mesurer les évolutions du pilotage",
                "socle": [
                    {
                        "text": "Définition d'une liste minimale d'indicateurs quantitatifs ou qualitatifs",
                        "requirements": [
                            computed(
                                "p1-liste-minimale",
                                "Liste minimale d'indicateurs définie pour la formation",
                                "followed_indicators",
                                AT_LEAST,
                                5,
                            )
                        ],
                    }
                ],
                "cible": [],
            },
        ],
    },
    {
        "number": 2,
        "title": "Accompagnement pré-contractualisation",
        "rows": [
            {
                "perimeters": [
                    {
                        "code": "2.1",
                        "title": "Orientation, information et conseil",
                        "short_title": "Orientation, information",
                        "scope": [
                            "Promotion de l'apprentissage en informant les étudiants des spécificités de cette "
                            "voie de formation et du statut d'apprenti",
                            "Recueil des offres d'apprentissage des organismes d'accueil et qualification en "
                            "termes de contenu de mission et de profil de l'apprenti",
                            "Diffusion des offres d'emploi en apprentissage par différents canaux",
                            "Recueil des souhaits des futurs apprentis vis-à-vis de leur projet professionnel "
                            "et des profils (vérification de la correspondance entre les attentes de "
                            "l'étudiant et la formation)",
                        ],
                    }
                ],
                "socle_objective": "Donner une information accessible, exhaustive et actualisée aux "
                "étudiants et postulants à l'apprentissage",
                "cible_objective": "Décrire et mettre en œuvre des mesures pour répondre aux objectifs "
                "d'orientation, d'information et de conseil",
                "socle": [
                    {
                        "text": "Diffusion multi canal d'informations sur l'apprentissage et l'offre de formation",
                        "requirements": [
                            evidence(
                                "p2-diffusion-multicanal",
                                "Supports d'information diffusés sur plusieurs canaux",
                                "information",
                            )
                        ],
                    },
                    {
                        "text": "Information sur les services proposés en matière d'orientation au sein de "
                        "l'établissement",
                        "requirements": [
                            evidence(
                                "p2-services-orientation",
                                "Information sur les services d'orientation de l'établissement",
                                "orientation",
                            )
                        ],
                    },
                    {
                        "text": "Au moins une réunion d'information et d'échanges à l'attention des candidats "
                        "à la formation",
                        "requirements": [
                            computed(
                                "p2-reunion-information",
                                "Réunion d'information des candidats tenue dans l'année",
                                "information_meetings",
                                AT_LEAST,
                                1,
                            )
                        ],
                    },
                ],
                "cible": [
                    {
                        "text": "Outils ou événements dédiés à l'information sur l'apprentissage associant le "
                        "cas échéant les parties prenantes (CFA, représentants du monde professionnel, "
                        "anciens apprentis...)",
                        "requirements": [
                            computed(
                                "p2-evenements-information",
                                "Événements d'information tenus dans l'année",
                                "information_meetings",
                                AT_LEAST,
                                2,
                            ),
                            checklist(
                                "p2-parties-prenantes-information",
                                "Les événements associent les parties prenantes (CFA, monde professionnel, "
                                "anciens apprentis)",
                            ),
                        ],
                    },
                    {
                        "text": "Une plateforme ou un dispositif d'intermédiation dédié à la diffusion et à "
                        "l'actualisation des offres d'alternance et au descriptif des missions (mise à jour "
                        "de l'information, qualité de l'indexation)",
                        "requirements": [
                            evidence(
                                "p2-plateforme-offres",
                                "Plateforme ou dispositif de diffusion des offres d'alternance",
                                "offers_platform",
                            )
                        ],
                    },
                    {
                        "text": "Des interlocuteurs identifiés par le candidat et l'employeur recruteur pour "
                        "garantir un suivi des échanges qui tienne compte de l'historicité de leurs besoins "
                        "ou demandes et des actions mises en œuvre (dispositif de l'excellence de la "
                        "relation)",
                        "requirements": [
                            checklist(
                                "p2-interlocuteurs",
                                "Des interlocuteurs nommés suivent candidats et employeurs recruteurs",
                            )
                        ],
                    },
                ],
            },
            {
                "perimeters": [
                    {
                        "code": "2.2",
                        "title": "Pré-contractualisation pas à pas",
                        "short_title": "Pré-contractualisation",
                        "scope": [
                            "Procédure de suivi des contrats signés ou en cours de signature entre "
                            "l'établissement et le CFA",
                            "Actions de formation (coaching en techniques de recherche d'emploi) : Recherche "
                            "d'employeurs (sourcing) ; Dossier de candidature ; Préparation à l'entretien de "
                            "recrutement",
                            "Identification des forces et faiblesses des candidats : Repérage des besoins de "
                            "renforcement en soft skills (pré-positionnement) ; Identification des faiblesses "
                            "en termes d'attendus académiques",
                            "Mise en relation de l'apprenti avec l'employeur et le maître d'apprentissage",
                            "Information sur les avantages dont bénéficie l'apprenti dans l'organisme employeur",
                            "Cohérence entre la formation et le profil de poste proposé par l'employeur : "
                            "adéquation entre le référentiel de compétences de la formation et les missions en "
                            "milieu professionnel, définition de la progression des missions permettant une "
                            "montée en compétences de l'apprenti",
                            "Validation de la mission par l'enseignant/l'organisme de formation/le CFA avant "
                            "que le CFA n'autorise le contrat d'apprentissage",
                            "Définition du calendrier de l'alternance : périodes en milieu professionnel et "
                            "périodes en centre de formation (et planning des évaluations)",
                            "Délimitation des périodes de télétravail (s'il est compatible avec les missions)",
                        ],
                    }
                ],
                "socle_objective": "Offrir aux bénéficiaires des conditions de pré-contractualisation "
                "efficaces",
                "cible_objective": "Mettre en place des actions ou des projets pour permettre une "
                "pré-contractualisation adéquate",
                "socle": [
                    {
                        "text": "Un responsable de la formation ou un personnel dédié de l'équipe pédagogique "
                        "valide la mission ou les projets au regard des objectifs de formation et des "
                        "compétences attendues (sous une semaine)",
                        "requirements": [
                            computed(
                                "p2-missions-sous-une-semaine",
                                "Descriptions des missions décidées sous une semaine",
                                "mission_decided_on_time",
                                AT_LEAST,
                                90,
                            ),
                            computed(
                                "p2-delai-median",
                                "Délai médian de décision sur les missions",
                                "mission_median_delay",
                                AT_MOST,
                                7,
                            ),
                        ],
                    },
                    {
                        "text": "Un service dédié répond aux apprentis et aux organismes d'accueil et les met "
                        "en relation",
                        "requirements": [
                            checklist(
                                "p2-service-dedie",
                                "Un service nommé répond aux apprentis et aux organismes d'accueil et les met "
                                "en relation",
                            )
                        ],
                    },
                ],
                "cible": [
                    {
                        "text": "Actions de formation aux techniques de recherche d'emploi (TRE) à l'attention "
                        "des futurs alternants",
                        "requirements": [
                            evidence(
                                "p2-actions-tre",
                                "Programme des actions de techniques de recherche d'emploi",
                                "job_search_training",
                            )
                        ],
                    },
                    {
                        "text": "Actions et dispositifs d'intermédiation : organisation de rencontres avec des "
                        "employeurs recruteurs",
                        "requirements": [
                            evidence(
                                "p2-rencontres-employeurs",
                                "Rencontres organisées avec des employeurs recruteurs",
                                "recruiter_events",
                            )
                        ],
                    },
                ],
            },
        ],
    },
    {
        "number": 3,
        "title": "Suivi des apprentis pendant la formation",
        "rows": [
            {
                "perimeters": [
                    {
                        "code": "3.1",
                        "title": "Formation des tuteurs et maîtres d'apprentissage",
                        "short_title": "Formation des tuteurs",
                        "scope": [
                            "Formation des tuteurs et des maîtres d'apprentissage pour leur permettre "
                            "d'assurer leurs missions",
                            "Connaissance partagée des référentiels de compétences attendues et d'évaluation",
                            "Sensibilisation aux dispositifs d'intégration de l'apprenti sur son lieu de "
                            "travail",
                            "Actions de sensibilisation et de prévention au titre du handicap, de la diversité",
                        ],
                    },
                    {
                        "code": "3.2",
                        "title": "Formalisation du suivi",
                        "short_title": "Formalisation du suivi",
                        "scope": [
                            "Outil de suivi unique entre le maître d'apprentissage et l'apprenti dès le début "
                            "de la formation",
                            "Outil de communication entre le maître d'apprentissage, l'apprenti, "
                            "l'établissement (le tuteur et/ou le responsable de la formation) et le CFA",
                            "Engagement dans les fonctions tutorales : visites chez l'employeur et évaluation "
                            "des compétences",
                            "Accompagnement administratif et pédagogique : suivi de l'assiduité, suivi dans la "
                            "préparation de rapports, de projets, de mémoires et de soutenances",
                        ],
                    },
                ],
                "socle_objective": "Formaliser et diffuser les modalités de suivi, d'accompagnement et de "
                "retours d'expérience",
                "cible_objective": "Mettre en place des actions spécifiques adossées à des moyens solides et "
                "adaptés au suivi, à l'accompagnement et aux retours d'expérience",
                "socle": [
                    {
                        "text": "Un livret d'apprentissage",
                        "requirements": [
                            computed(
                                "p3-livret",
                                "Contrats dont les fiches de liaison sont contresignées à temps",
                                "sheets_on_time",
                                AT_LEAST,
                                75,
                            )
                        ],
                    },
                    {
                        "text": "Un secrétariat pédagogique dédié à l'accompagnement administratif",
                        "requirements": [
                            checklist(
                                "p3-secretariat",
                                "Un secrétariat pédagogique nommé assure l'accompagnement administratif",
                            )
                        ],
                    },
                    {
                        "text": "Identification des référents handicap et mobilité de l'établissement et du CFA",
                        "requirements": [
                            computed(
                                "p3-referents",
                                "Référents handicap et mobilité désignés",
                                "referents_named",
                                AT_LEAST,
                                100,
                            )
                        ],
                    },
                    {
                        "text": "Vérification tout au long de la formation de l'adéquation entre le profil du "
                        "poste de l'apprenti et la formation",
                        "requirements": [
                            computed(
                                "p3-adequation-poste",
                                "Contrats dont la description des missions de l'année est validée",
                                "missions_validated",
                                AT_LEAST,
                                80,
                            )
                        ],
                    },
                    {
                        "text": "Vérification dès le début de la formation de l'adéquation entre les moyens "
                        "mis à disposition par l'employeur et la mission de l'apprenti",
                        "requirements": [
                            checklist(
                                "p3-moyens-employeur",
                                "Les moyens de l'employeur sont vérifiés à l'entretien de démarrage",
                            )
                        ],
                    },
                    {
                        "text": "Deux rencontres annuelles minimum avec l'employeur : dans les deux mois après "
                        "le début de formation et dans les deux mois qui précèdent la fin de la formation",
                        "requirements": [
                            computed(
                                "p3-deux-rencontres",
                                "Contrats qui respectent la règle des deux rencontres annuelles",
                                "two_meetings_rule",
                                AT_LEAST,
                                90,
                            )
                        ],
                    },
                ],
                "cible": [
                    {
                        "text": "Formation des maîtres d'apprentissage et des tuteurs et présentation des "
                        "outils de suivi",
                        "requirements": [
                            computed(
                                "p3-ma-formes",
                                "Maîtres d'apprentissage formés",
                                "tutors_trained",
                                AT_LEAST,
                                80,
                            ),
                            evidence(
                                "p3-programme-formation-tuteurs",
                                "Programme de formation des tuteurs et de présentation des outils de suivi",
                                "tutor_training",
                            ),
                        ],
                    },
                    {
                        "text": "Un nombre de rencontres annuelles adapté à la situation (niveau de diplôme, "
                        "difficultés rencontrées par l'apprenti) et validé par l'équipe pédagogique",
                        "requirements": [
                            checklist(
                                "p3-rencontres-adaptees",
                                "L'équipe pédagogique a validé un nombre de rencontres adapté à chaque situation",
                            )
                        ],
                    },
                    {
                        "text": "Contacts réguliers via le livret d'apprentissage",
                        "requirements": [
                            computed(
                                "p3-contacts-livret",
                                "Fiches contresignées lues par le tuteur pédagogique",
                                "sheets_reviewed",
                                AT_LEAST,
                                80,
                            )
                        ],
                    },
                    {
                        "text": "Comptes rendus de visite formalisés, partagés, et suivis des actions "
                        "(tuteur/maître d'apprentissage & apprenti)",
                        "requirements": [
                            computed(
                                "p3-comptes-rendus-lus",
                                "Comptes rendus de visite partagés et lus par l'entreprise et l'apprenti",
                                "visit_reports_acknowledged",
                                AT_LEAST,
                                90,
                            ),
                            computed(
                                "p3-actions-a-echeance",
                                "Actions de suivi closes à leur échéance",
                                "actions_closed_on_time",
                                AT_LEAST,
                                80,
                            ),
                        ],
                    },
                    {
                        "text": "Session d'analyse réflexive sur l'expérience professionnelle à chaque retour "
                        "d'alternance des apprentis",
                        "requirements": [
                            checklist(
                                "p3-analyse-reflexive",
                                "Une session d'analyse réflexive a lieu à chaque retour d'alternance",
                            )
                        ],
                    },
                ],
            },
            {
                "perimeters": [
                    {
                        "code": "3.3",
                        "title": "Accompagnements spécifiques",
                        "short_title": "Accompagnements spécifiques",
                        "scope": [
                            "Actions pour favoriser la diversité (mise en place de dispositifs adéquats, "
                            "recherche d'aides réglementaires prévues selon le cas) au titre : du handicap, y "
                            "compris l'aide à l'insertion post-contrat ; de la mixité femmes/hommes, de "
                            "l'égalité entre les sexes, de la mixité sociale, et de la lutte contre le "
                            "harcèlement et les discriminations ; de l'accompagnement social (actions ou "
                            "accompagnement pour bénéficier d'aides en vue de résoudre des difficultés d'ordre "
                            "social et matériel)",
                            "Repérage d'éventuelles difficultés de l'apprenti chez l'employeur et actions de "
                            "médiation prises en charge par le CFA",
                            "Accompagnement en cas de rupture de contrat",
                        ],
                    }
                ],
                "socle_objective": "Formaliser et diffuser les modalités de suivi, d'accompagnement et de "
                "retours d'expérience",
                "cible_objective": "Mettre en place des actions spécifiques adossées à des moyens solides et "
                "adaptés au suivi, à l'accompagnement et aux retours d'expérience",
                "socle": [
                    {
                        "text": "Une grille d'évaluation des acquis de l'expérience de l'apprenti, à partir de "
                        "critères clairement identifiés, partagée en début de formation",
                        "requirements": [
                            computed(
                                "p3-grille-partagee",
                                "Grilles d'évaluation partagées dans le premier mois du contrat",
                                "grid_shared_first_month",
                                AT_LEAST,
                                90,
                            )
                        ],
                    },
                    {
                        "text": "Un retour d'alternance par trimestre avec le groupe d'apprentis",
                        "requirements": [
                            computed(
                                "p3-retour-trimestre",
                                "Trimestres où chaque promotion a eu son retour d'alternance",
                                "group_debriefs",
                                AT_LEAST,
                                100,
                            )
                        ],
                    },
                    {
                        "text": "Une évaluation, a minima en fin de formation, par les apprentis et par les "
                        "maîtres d'apprentissage",
                        "requirements": [
                            computed(
                                "p3-evaluation-fin",
                                "Évaluation de fin de formation par les apprentis menée, avec son taux de "
                                "réponse",
                                "end_apprentice_response",
                                AVAILABLE,
                            ),
                            computed(
                                "p3-evaluation-fin-ma",
                                "Évaluation de fin de formation par les maîtres d'apprentissage menée, avec "
                                "son taux de réponse",
                                "end_tutor_response",
                                AVAILABLE,
                            ),
                        ],
                    },
                ],
                "cible": [
                    {
                        "text": "Formalisation précise des modalités de l'évaluation et de son exploitation",
                        "requirements": [
                            evidence(
                                "p3-modalites-evaluation",
                                "Modalités de l'évaluation et de son exploitation, formalisées",
                                "evaluation_procedure",
                            )
                        ],
                    }
                ],
            },
        ],
    },
    {
        "number": 4,
        "title": "Suivi des apprentis post-formation",
        "rows": [
            {
                "perimeters": [
                    {
                        "code": "4.1",
                        "title": "Enquêtes quantitatives et qualitatives sur l'insertion des apprentis",
                        "short_title": "Enquêtes d'insertion",
                        "scope": [
                            "Durée de recherche d'emploi, qualité de l'insertion (postes occupés correspondant "
                            "au diplôme obtenu, type de contrat)",
                            "Poursuites d'études",
                        ],
                    },
                    {
                        "code": "4.2",
                        "title": "Aide à l'insertion",
                        "short_title": "Aide à l'insertion",
                        "scope": [
                            "Ateliers techniques de recherche d'emploi",
                            "Mise en relation des apprentis et des organismes recruteurs pour répondre à des "
                            "postes à pourvoir",
                            "Bourses à l'emploi pour les apprentis afin de favoriser une insertion rapide et un "
                            "accompagnement des projets post-apprentissage des étudiants",
                        ],
                    },
                ],
                "socle_objective": "Inscrire l'apprentissage dans une perspective d'insertion",
                "cible_objective": "Mettre en place des actions concrètes concourant au suivi et à "
                "l'insertion post-formation",
                "socle": [
                    {
                        "text": "Réalisation et exploitation des enquêtes : taux d'obtention des diplômes ; "
                        "taux d'insertion professionnelle/de poursuite d'études après l'obtention du "
                        "diplôme ; taux de rupture des contrats d'apprentissage",
                        "requirements": [
                            computed(
                                "p4-taux-obtention",
                                "Taux d'obtention du diplôme calculé sur l'année",
                                "success_rate",
                                AVAILABLE,
                            ),
                            computed(
                                "p4-taux-rupture",
                                "Taux de rupture des contrats calculé sur l'année",
                                "rupture_rate",
                                AVAILABLE,
                            ),
                            computed(
                                "p4-enquete-insertion",
                                "Insertion et poursuite d'études à 6 mois mesurées par l'enquête",
                                "insertion_6_months",
                                AVAILABLE,
                            ),
                            computed(
                                "p4-enquete-insertion-12",
                                "Insertion et poursuite d'études à 12 mois mesurées par l'enquête",
                                "insertion_12_months",
                                AVAILABLE,
                            ),
                        ],
                    },
                    {
                        "text": "Enquête de satisfaction",
                        "requirements": [
                            computed(
                                "p4-enquete-satisfaction",
                                "Enquête de satisfaction des apprentis menée, avec son taux de réponse",
                                "satisfaction_apprentice_response",
                                AVAILABLE,
                            ),
                            computed(
                                "p4-enquete-satisfaction-employeurs",
                                "Enquête de satisfaction des employeurs menée, avec son taux de réponse",
                                "satisfaction_employer_response",
                                AVAILABLE,
                            ),
                        ],
                    },
                    {
                        "text": "Développement d'un dispositif d'offres d'emploi accessibles aux apprentis",
                        "requirements": [
                            computed(
                                "p4-offres-emploi",
                                "Offres d'emploi publiées dans l'année pour les anciens apprentis de la "
                                "formation",
                                "job_offers_published",
                                AT_LEAST,
                                1,
                            )
                        ],
                    },
                    {
                        "text": "Organisation de jobdatings ou d'autres actions facilitant la rencontre entre "
                        "ex-apprentis et recruteurs",
                        "requirements": [
                            evidence(
                                "p4-jobdating",
                                "Jobdating ou rencontre entre ex-apprentis et recruteurs organisé",
                                "jobdating",
                            )
                        ],
                    },
                ],
                "cible": [
                    {
                        "text": "Publication d'offres d'emploi accessibles aux ex-apprentis sur une plateforme "
                        "ou un dispositif dédié",
                        "requirements": [
                            computed(
                                "p4-publication-offres",
                                "Offres d'emploi publiées régulièrement pour les ex-apprentis (cinq au moins "
                                "dans l'année)",
                                "job_offers_published",
                                AT_LEAST,
                                5,
                            )
                        ],
                    },
                    {
                        "text": "Diffusion des offres d'emploi aux ex-apprentis",
                        "requirements": [
                            computed(
                                "p4-diffusion-offres",
                                "Ex-apprentis ayant reçu les offres d'emploi dans l'année",
                                "job_offers_diffused",
                                AT_LEAST,
                                80,
                            )
                        ],
                    },
                    {
                        "text": "Utilisation des réseaux professionnels pour diffuser l'actualité sur l'emploi "
                        "et les offres en lien avec la formation suivie",
                        "requirements": [
                            checklist(
                                "p4-reseaux-professionnels",
                                "Les réseaux professionnels relaient l'actualité de l'emploi de la formation",
                            )
                        ],
                    },
                    {
                        "text": "Développement et animation d'un réseau Alumni des apprentis",
                        "requirements": [
                            computed(
                                "p4-alumni",
                                "Ex-apprentis actifs dans le réseau (offres consultées dans l'année)",
                                "alumni_active",
                                AT_LEAST,
                                20,
                            )
                        ],
                    },
                    {
                        "text": "Développement et maintien d'une base de données des ex-employeurs",
                        "requirements": [
                            checklist(
                                "p4-base-ex-employeurs",
                                "Une base des ex-employeurs est tenue à jour",
                            )
                        ],
                    },
                ],
            },
        ],
    },
]


def load(apps) -> None:
    """Create or update the referential from :data:`POSTES` (idempotent: keyed by numbers and codes).
    ``apps`` is a migration's app registry, or ``django.apps.apps``."""
    Poste = apps.get_model("quality", "Poste")
    Perimeter = apps.get_model("quality", "Perimeter")
    Item = apps.get_model("quality", "ReferentialItem")
    Requirement = apps.get_model("quality", "Requirement")
    perimeters = {}
    for poste_data in POSTES:
        poste, _ = Poste.objects.update_or_create(
            number=poste_data["number"], defaults={"title": poste_data["title"]}
        )
        order = {"socle": 0, "cible": 0}
        requirement_order = 0
        for row in poste_data["rows"]:
            row_perimeters = []
            for p in row["perimeters"]:
                perimeter, _ = Perimeter.objects.update_or_create(
                    code=p["code"],
                    defaults={
                        "poste": poste,
                        "number": int(p["code"].split(".")[1]),
                        "title": p["title"],
                        "short_title": p["short_title"],
                        "scope": p["scope"],
                        "socle_objective": row["socle_objective"],
                        "cible_objective": row["cible_objective"],
                    },
                )
                perimeters[p["code"]] = perimeter
                row_perimeters.append(perimeter)
            for stage in ("socle", "cible"):
                for item_data in row[stage]:
                    order[stage] += 1
                    item, _ = Item.objects.update_or_create(
                        poste=poste, stage=stage, order=order[stage], defaults={"text": item_data["text"]}
                    )
                    item.perimeters.add(*row_perimeters)
                    for requirement in item_data["requirements"]:
                        requirement_order += 1
                        # A requirement that changed kind (declared evidence become computed) keeps
                        # nothing of its former kind.
                        fields = {"indicator": "", "comparison": "", "threshold": None, "evidence_kind": ""}
                        fields.update((k, v) for k, v in requirement.items() if k != "code")
                        Requirement.objects.update_or_create(
                            code=requirement["code"],
                            defaults={"item": item, "milestone": None, "order": requirement_order, **fields},
                        )
    # Périmètre 1.3's row comes after the poste's cible: it receives those items once it exists.
    for poste_data in POSTES:
        for row in poste_data["rows"]:
            for code in row.get("cible_also_for", []):
                for item in Item.objects.filter(
                    poste__number=poste_data["number"],
                    stage="cible",
                    perimeters__code=row["perimeters"][0]["code"],
                ):
                    item.perimeters.add(perimeters[code])
