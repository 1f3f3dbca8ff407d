"""The demo's made-up people and companies: first and last names, places of the region, fictitious
employers and the jobs of their maîtres d'apprentissage, the school's departments."""

FEMALE_FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Clara", "Lucie", "Océane",
    "Marine", "Pauline", "Mathilde", "Laura", "Anaïs", "Justine", "Élise", "Margaux", "Charlotte",
    "Louise", "Juliette", "Alice", "Zoé", "Jade", "Lina", "Maëlle", "Noémie", "Salomé", "Agathe",
    "Yasmine", "Amandine", "Coralie", "Élodie", "Nadia", "Sophie", "Aurélie", "Isabelle", "Valérie",
]  # fmt: skip
MALE_FIRST_NAMES = [
    "Lucas", "Hugo", "Thomas", "Théo", "Maxime", "Nathan", "Antoine", "Alexandre", "Louis", "Baptiste",
    "Clément", "Romain", "Quentin", "Julien", "Paul", "Arthur", "Mathis", "Valentin", "Pierre",
    "Adrien", "Florian", "Kévin", "Yanis", "Enzo", "Bastien", "Corentin", "Guillaume", "Rayan", "Tom",
    "Jules", "Mehdi", "Sébastien", "Olivier", "Laurent", "Christophe", "Frédéric", "Nicolas", "Éric",
]  # fmt: skip
LAST_NAMES = [
    "Rouquette", "Cabrol", "Fabre", "Bousquet", "Vidal", "Delmas", "Marty", "Rouanet", "Combes",
    "Maurel", "Garrigues", "Cros", "Albouy", "Bonnafous", "Calmettes", "Carrière", "Azéma", "Blanc",
    "Pujol", "Teyssier", "Salvan", "Granier", "Roux", "Fournier", "Castan", "Mercadier", "Rigal",
    "Viguier", "Lacombe", "Séguier", "Barthe", "Escande", "Puech", "Bories", "Alric", "Cayla",
    "Gayraud", "Laurens", "Massol", "Sabatier", "Trouche", "Valette", "Andrieu", "Bénazech", "Couderc",
    "Durand", "Martin", "Bernard", "Dubois", "Moreau", "Simon", "Michel", "Lefebvre", "Girard",
    "Bonnet", "Lambert", "Fontaine", "Rousseau", "Faure", "Mercier", "Boyer", "Garnier", "Chevalier",
    "Benali", "Nguyen", "Da Silva", "Haddad", "Diallo", "Kaci", "Ferreira", "Lopez", "Garcia",
    "Martinez", "Sanchez", "Pereira", "Rossi", "Bertrand", "Cazals", "Soulié", "Boudou",
]  # fmt: skip

# (postal code, city, telephone prefix)
PLACES = [
    ("81000", "Albi", "05 63"), ("81100", "Castres", "05 63"), ("81400", "Carmaux", "05 63"),
    ("81600", "Gaillac", "05 63"), ("81300", "Graulhet", "05 63"), ("81200", "Mazamet", "05 63"),
    ("81500", "Lavaur", "05 63"), ("81160", "Saint-Juéry", "05 63"), ("31000", "Toulouse", "05 61"),
    ("31400", "Toulouse", "05 61"), ("31700", "Blagnac", "05 62"), ("31770", "Colomiers", "05 61"),
    ("82000", "Montauban", "05 63"), ("12000", "Rodez", "05 65"), ("12100", "Millau", "05 65"),
    ("12300", "Decazeville", "05 65"), ("46100", "Figeac", "05 65"), ("65000", "Tarbes", "05 62"),
    ("32000", "Auch", "05 62"), ("09100", "Pamiers", "05 61"), ("34000", "Montpellier", "04 67"),
    ("30100", "Alès", "04 66"), ("11000", "Carcassonne", "04 68"), ("66000", "Perpignan", "04 68"),
]  # fmt: skip
STREETS = [
    "rue de l'Industrie", "avenue Pierre-Gilles de Gennes", "route de Toulouse", "chemin de la Plaine",
    "zone d'activités de la Prade", "boulevard de l'Europe", "rue des Artisans", "avenue de la Gare",
    "impasse des Tanneurs", "rue Jean Jaurès", "allée des Platanes", "avenue Albert Thomas",
]  # fmt: skip

# (legal name, NAF code, sector, postal code, city): fictitious companies of the region. The sector is
# the engineering option whose apprentices they host (the BTS goes to genindus and materiaux).
EMPLOYERS = [
    ("Énergies Tarnaises SAS", "35.11Z", "energies", "81000", "Albi"),
    ("Hydroélectricité des Causses SA", "35.11Z", "energies", "12100", "Millau"),
    ("Occitanie Biogaz SAS", "35.21Z", "energies", "32000", "Auch"),
    ("Thermatec Sud-Ouest SARL", "43.22B", "energies", "31400", "Toulouse"),
    ("Solaire d'Oc Ingénierie SAS", "71.12B", "energies", "34000", "Montpellier"),
    ("Réseaux de Chaleur Albigeois SAS", "35.30Z", "energies", "81000", "Albi"),
    ("Hydrogène Vert du Midi SAS", "20.11Z", "energies", "65000", "Tarbes"),
    ("Turbines Pyrénées Services SAS", "33.12Z", "energies", "65000", "Tarbes"),
    ("Aérostructures du Tarn SAS", "30.30Z", "genindus", "81000", "Albi"),
    ("Mécanique de Précision du Ségala SAS", "25.62B", "genindus", "81400", "Carmaux"),
    ("Usinage Carmausin SARL", "25.62A", "genindus", "81400", "Carmaux"),
    ("Robotique du Lauragais SAS", "28.99B", "genindus", "81500", "Lavaur"),
    ("Chaudronnerie Albigeoise SAS", "25.29Z", "genindus", "81160", "Saint-Juéry"),
    ("Électromécanique Castraise SA", "27.11Z", "genindus", "81100", "Castres"),
    ("Équipements Aéronautiques Garonne SAS", "30.30Z", "genindus", "31700", "Blagnac"),
    ("Logistique Industrielle Tarn-et-Garonne SAS", "52.10B", "genindus", "82000", "Montauban"),
    ("Ingénierie Process Sud SAS", "71.12B", "genindus", "31770", "Colomiers"),
    ("Emballages du Sud-Ouest SAS", "17.21A", "genindus", "81600", "Gaillac"),
    ("Ferroviaire de Figeac SAS", "30.20Z", "genindus", "46100", "Figeac"),
    ("Automatismes et Systèmes d'Oc SARL", "33.20C", "genindus", "31000", "Toulouse"),
    ("Céramiques Techniques du Quercy SAS", "23.44Z", "materiaux", "46100", "Figeac"),
    ("Alliages Légers du Rouergue SAS", "24.42Z", "materiaux", "12300", "Decazeville"),
    ("Polymères Sud Innovation SAS", "20.16Z", "materiaux", "31400", "Toulouse"),
    ("Tanneries de Graulhet SA", "15.11Z", "materiaux", "81300", "Graulhet"),
    ("Textiles Techniques de Mazamet SAS", "13.96Z", "materiaux", "81200", "Mazamet"),
    ("Bétons et Granulats du Tarn SAS", "23.63Z", "materiaux", "81000", "Albi"),
    ("Verrerie du Carmausin SAS", "23.13Z", "materiaux", "81400", "Carmaux"),
    ("Composites d'Occitanie SAS", "22.29A", "materiaux", "31700", "Blagnac"),
    ("Fonderie de la Montagne Noire SA", "24.51Z", "materiaux", "81200", "Mazamet"),
    ("Laboratoires Pharmatarn SAS", "21.20Z", "pharmagro", "81100", "Castres"),
    ("Biomédicaments du Sidobre SAS", "21.20Z", "pharmagro", "81100", "Castres"),
    ("Laboratoires Dermatologiques de l'Agout SAS", "21.20Z", "pharmagro", "81500", "Lavaur"),
    ("Santé Animale Occitanie SAS", "21.20Z", "pharmagro", "31000", "Toulouse"),
    ("Fromageries des Causses SCA", "10.51C", "pharmagro", "12100", "Millau"),
    ("Salaisons des Monts de Lacaune SAS", "10.13A", "pharmagro", "81100", "Castres"),
    ("Conserverie Gasconne SAS", "10.39A", "pharmagro", "32000", "Auch"),
    ("Coopérative Céréalière du Lauragais SCA", "46.21Z", "pharmagro", "31400", "Toulouse"),
    ("Vignerons de Gaillac Associés SCA", "11.02A", "pharmagro", "81600", "Gaillac"),
    ("Biscuiterie de l'Albigeois SAS", "10.72Z", "pharmagro", "81000", "Albi"),
    ("Nutrition Animale du Ségala SAS", "10.91Z", "pharmagro", "12000", "Rodez"),
]
# The employers of the two named apprentices.
EMPLOYER_A = "Aérostructures du Tarn SAS"
EMPLOYER_B = "Laboratoires Pharmatarn SAS"

COMPANY_TUTOR_JOBS = [
    ("Responsable méthodes", "Ingénieur"),
    ("Ingénieur procédés", "Ingénieur"),
    ("Responsable de production", "Ingénieur"),
    ("Responsable qualité", "Master"),
    ("Ingénieur R&D", "Doctorat"),
    ("Chef de projet industrialisation", "Ingénieur"),
    ("Responsable maintenance", "Ingénieur"),
    ("Directeur technique", "Ingénieur"),
    ("Ingénieur énergie", "Ingénieur"),
    ("Responsable amélioration continue", "Master"),
    ("Responsable HSE", "Master"),
    ("Responsable d'atelier", "Licence professionnelle"),
]

SCHOOL_DEPARTMENTS = {
    "genindus": "Centre Génie industriel",
    "materiaux": "Institut Clément Ader Albi",
    "procedes": "Centre RAPSODEE",
    "bts": "Section BTS CPRP",
}
