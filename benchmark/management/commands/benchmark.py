"""``python manage.py benchmark [--apprentices 2000] [--years 3] [--requests 20] [--seed 1] [--json FILE]``

Generates a synthetic CFA (:mod:`benchmark.cfa`), measures the pages each role opens every day
(:mod:`benchmark.pages`), the recomputation of the quality indicators against the same aggregates in
raw SQL (:mod:`benchmark.indicators`, :mod:`benchmark.floors`), and a diploma's compliance PDF
(:mod:`benchmark.pdf`), prints them (:mod:`benchmark.report`), then rolls everything back.
"""

from __future__ import annotations

import json
import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from benchmark import cfa, indicators, pages, pdf, report
from benchmark.pages import ROLES, TARGET_MS


class Rollback(Exception):
    """Raised at the end of the run: nothing the benchmark wrote survives it."""


class Command(BaseCommand):
    help = (
        "Mesure les performances sur un CFA synthétique : génère N apprentis avec leurs années "
        "d'historique (bulk_create), mesure les pages quotidiennes de chaque rôle (p50, p95, requêtes "
        "SQL), le recalcul des indicateurs qualité face aux mêmes agrégats en SQL brut, et le PDF de "
        "conformité d'une formation. Tout ce que la commande crée l'est dans UNE transaction annulée à "
        "la fin (rollback) : elle ne laisse aucune donnée et peut tourner sur n'importe quelle base. "
        "Lancez-la avec DEBUG désactivé (DEBUG gonfle les temps) et sur PostgreSQL pour des chiffres "
        "comparables à la production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apprentices", type=int, default=2000, help="Nombre d'apprentis (2000).")
        parser.add_argument("--years", type=int, default=3, help="Années scolaires d'historique (3).")
        parser.add_argument("--requests", type=int, default=20, help="Requêtes mesurées par page (20).")
        parser.add_argument("--seed", type=int, default=1, help="Graine du générateur (1).")
        parser.add_argument(
            "--roles",
            default=",".join(ROLES),
            help="Rôles mesurés, séparés par des virgules (tous par défaut : " + ", ".join(ROLES) + ").",
        )
        parser.add_argument("--json", dest="json_path", help="Écrit aussi les résultats dans ce fichier.")

    def handle(self, *args, apprentices, years, requests, seed, roles=None, json_path=None, **options):
        if apprentices < 1 or years < 1 or requests < 1:
            raise CommandError("--apprentices, --years et --requests sont des entiers positifs.")
        self.roles = [role.strip() for role in (roles or ",".join(ROLES)).split(",") if role.strip()]
        unknown = set(self.roles) - set(ROLES)
        if unknown:
            raise CommandError(
                f"Rôle(s) inconnu(s) : {', '.join(sorted(unknown))}. Rôles : {', '.join(ROLES)}."
            )
        if settings.DEBUG:
            self.stderr.write(
                "Attention : DEBUG est activé ; il garde chaque requête SQL en mémoire et gonfle les temps."
            )
        self.requests = requests
        self.stdout.write(f"Charge de la machine au départ : {report.machine_load()}.")
        results = {
            "apprentices": apprentices,
            "years": years,
            "requests_per_page": requests,
            "seed": seed,
            "database": connection.vendor,
            "target_ms": TARGET_MS,
        }
        try:
            with transaction.atomic():
                self.run(results, apprentices=apprentices, years=years, seed=seed)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write("Toutes les données du benchmark ont été annulées (rollback).")
        if json_path:
            with open(json_path, "w", encoding="utf-8") as handle:
                json.dump(results, handle, ensure_ascii=False, indent=2)
            self.stdout.write(f"Résultats écrits dans {json_path}.")

    def run(self, results, *, apprentices, years, seed):
        write = self.stdout.write
        today = timezone.localdate()
        write(
            f"Génération : {apprentices} apprentis, {years} année(s), graine {seed}, "
            f"base {connection.vendor}…"
        )
        started = time.perf_counter()
        data = cfa.generate(apprentices=apprentices, years=years, seed=seed, today=today, log=write)
        generation = time.perf_counter() - started
        analyse = self.analyse()
        results["generation_s"] = round(generation, 2)
        results["analyze_s"] = round(analyse, 2)
        results["rows"] = data.counts
        report.generation(
            write, data.counts, generation, analyse if connection.vendor == "postgresql" else None
        )
        # The pages read the indicators the nightly recomputation stores: it runs first.
        indicator_timings = indicators.measure(data, today)
        report.indicators(write, indicator_timings)
        results["indicators"] = indicator_timings.as_json()
        page_timings = pages.measure(data.personas, self.roles, self.requests)
        report.pages(write, page_timings, self.requests)
        results["pages"] = page_timings.rows
        with pages.page_settings():  # the PDF's stylesheet is a static file, named as the pages name theirs
            pdf_timings = pdf.measure(data.personas, runs=min(3, self.requests))
        report.pdf(write, pdf_timings)
        results["pdf"] = pdf_timings.as_json()
        results["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
        write(
            f"Charge de la machine à la fin : {report.machine_load()} "
            "(au-delà du nombre de cœurs, les temps gonflent)."
        )

    def analyse(self) -> float:
        """Planner statistics for the rows just written (PostgreSQL counts its own transaction's rows),
        as a production database has them; rolled back with the rest."""
        if connection.vendor != "postgresql":
            return 0.0
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return time.perf_counter() - started
