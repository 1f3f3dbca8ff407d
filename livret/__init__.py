"""Le livret d'apprentissage: liaison sheets, visit reports, mission descriptions, evaluations."""
