"""La trajectoire qualité: the charter's referential, indicators and levels per diploma."""
