"""``python manage.py benchmark [--apprentices 2000] [--years 3] [--requests 20] [--seed 1] [--json FILE]
[--keep NAME [--load [--clients 16] [--load-seconds 10] [--workers 3]]]``

Generates a synthetic CFA (:mod:`benchmark.cfa`), measures the pages each role opens every day
(:mod:`benchmark.pages`), the recomputation of the quality indicators against the same aggregates in
raw SQL (:mod:`benchmark.indicators`, :mod:`benchmark.floors`), and a diploma's compliance PDF
(:mod:`benchmark.pdf`), prints them (:mod:`benchmark.report`), then rolls everything back; or, with
``--keep NAME``, keeps the CFA in a database of its own to measure it again (:mod:`benchmark.kept`), and
with ``--load`` measures three pages under concurrent clients against gunicorn (:mod:`benchmark.load`).
"""

from __future__ import annotations

import json
import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from apprentices.models import StatusSnapshot
from apprentices.services import snapshot_statuses
from benchmark import cfa, goals, indicators, kept, load, pages, pdf, report
from benchmark.pages import ROLES, TARGET_MS
from livret.models import BookletActivity
from livret.services.activity import store_booklet_activity
from quality.models import IndicatorValue


def _from_scratch(model, store) -> tuple[int, float]:
    """``model``'s rows deleted, then stored again by ``store`` (a Celery job's service): how many, in
    how many seconds."""
    model.objects.all().delete()
    started = time.perf_counter()
    stored = store()
    return stored, round(time.perf_counter() - started, 2)


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
        parser.add_argument(
            "--compare",
            metavar="FICHIER",
            help="Les résultats (--json) d'un lancement à une autre taille : le nombre de requêtes de chaque "
            "page est jugé contre eux.",
        )
        parser.add_argument(
            "--keep",
            metavar="NOM",
            help="Garde le CFA généré dans la base bench_NOM (créée à côté de la base configurée) au lieu "
            "de tout annuler ; un nouveau lancement avec le même NOM et la même taille le réutilise sans "
            "le régénérer.",
        )
        parser.add_argument(
            "--load",
            action="store_true",
            help="Mesure aussi trois pages sous charge (gunicorn sur 127.0.0.1, clients concurrents) ; "
            "demande --keep, le serveur ne lisant que des données enregistrées.",
        )
        parser.add_argument("--clients", type=int, default=16, help="Clients concurrents de la charge (16).")
        parser.add_argument(
            "--load-seconds", type=float, default=10.0, help="Durée mesurée par page sous charge (10 s)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY") or 3),
            help="Processus gunicorn de la charge (WEB_CONCURRENCY, sinon 3, comme docker-compose).",
        )

    def handle(self, *args, apprentices, years, requests, seed, roles=None, json_path=None, **options):
        if apprentices < 1 or years < 1 or requests < 1:
            raise CommandError("--apprentices, --years et --requests sont des entiers positifs.")
        keep, with_load = options.get("keep"), options.get("load")
        if with_load and not keep:
            raise CommandError("--load demande --keep NOM : le serveur ne lit que des données enregistrées.")
        if with_load and (options["clients"] < 1 or options["load_seconds"] <= 0 or options["workers"] < 1):
            raise CommandError("--clients, --load-seconds et --workers sont des nombres positifs.")
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
        compare = self.read_compare(options.get("compare"))
        self.requests = requests
        self.stdout.write(f"Charge de la machine au départ : {report.machine_load()}.")
        results = {
            "apprentices": apprentices,
            "years": years,
            "requests_per_page": requests,
            "seed": seed,
            "database": connection.vendor,
            "target_ms": TARGET_MS,
            "cpu_count": os.cpu_count(),
        }
        size = kept.Size(apprentices=apprentices, years=years, seed=seed)
        if keep:
            kept.switch_to(keep)
            results["kept_database"] = connection.settings_dict["NAME"]
            self.stdout.write(f"Base gardée : {results['kept_database']}.")
            self.run(results, size=size, keep=True)
            if with_load:
                self.measure_load(results, options)
        else:
            try:
                with transaction.atomic():
                    self.run(results, size=size)
                    raise Rollback
            except Rollback:
                pass
            self.stdout.write("Toutes les données du benchmark ont été annulées (rollback).")
        judged = goals.judge(results, compare)
        report.goals(self.stdout.write, judged)
        results["goals"] = [goal.as_json() for goal in judged]
        if json_path:
            with open(json_path, "w", encoding="utf-8") as handle:
                json.dump(results, handle, ensure_ascii=False, indent=2)
            self.stdout.write(f"Résultats écrits dans {json_path}.")

    @staticmethod
    def read_compare(path: str | None) -> dict | None:
        """The results of another run, read before anything is measured: a bad file stops at once."""
        if not path:
            return None
        try:
            with open(path, encoding="utf-8") as handle:
                compared = json.load(handle)
        except (OSError, ValueError) as error:
            raise CommandError(
                f"--compare : {path} ne se lit pas comme des résultats JSON ({error})."
            ) from error
        if not isinstance(compared, dict) or not isinstance(compared.get("pages"), list):
            raise CommandError(f"--compare : {path} n'a pas de pages mesurées (écrit par --json ?).")
        return compared

    def run(self, results, *, size: kept.Size, keep: bool = False):
        write = self.stdout.write
        today = timezone.localdate()
        data = kept.load(size) if keep else None
        if data is not None:
            rows = sum(data.counts.values())
            write(f"CFA déjà généré dans cette base à cette taille : réutilisé ({rows} lignes).")
            results["generation_s"] = None
            results["rows"] = data.counts
        else:
            data = self.generate(results, size, today, keep=keep)
        # The pages read the indicators the nightly recomputation stores: it runs first.
        indicator_timings = indicators.measure(data, today)
        report.indicators(write, indicator_timings)
        results["indicators"] = indicator_timings.as_json()
        # And what the dashboards read that Celery stores, from scratch as after midnight: the statuses
        # of the day (everyone's), the latest activity of each booklet (every contract's).
        stored, seconds = _from_scratch(StatusSnapshot, lambda: snapshot_statuses(today=today))
        results["status_snapshots"] = {"apprentices": stored, "seconds": seconds}
        report.snapshots(write, **results["status_snapshots"])
        stored, seconds = _from_scratch(BookletActivity, store_booklet_activity)
        results["booklet_activity"] = {"contracts": stored, "seconds": seconds}
        report.booklet_activity(write, **results["booklet_activity"])
        # The tables the nightly jobs above rewrote, as autovacuum leaves them within a minute of a live
        # database's jobs: analysed (else PostgreSQL plans for the tables it last analysed, empty) and,
        # a kept database committed, vacuumed (the indicators' recomputation leaves three dead index
        # entries for each live one, which the staff's dashboard read: 4.2 ms for its 200 values).
        self.analyse(IndicatorValue, StatusSnapshot, BookletActivity, vacuum=keep)
        self.personas = data.personas
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

    def generate(self, results, size: kept.Size, today, *, keep: bool) -> cfa.Generated:
        write = self.stdout.write
        write(
            f"Génération : {size.apprentices} apprentis, {size.years} année(s), graine {size.seed}, "
            f"base {connection.vendor}…"
        )
        started = time.perf_counter()
        with transaction.atomic():  # kept: all or nothing; otherwise inside the run's rolled-back one
            data = cfa.generate(
                apprentices=size.apprentices, years=size.years, seed=size.seed, today=today, log=write
            )
            if keep:
                kept.save(size, data)
        generation = time.perf_counter() - started
        analyse = self.analyse(vacuum=keep)
        results["generation_s"] = round(generation, 2)
        results["analyze_s"] = round(analyse, 2)
        results["rows"] = data.counts
        report.generation(
            write,
            data.counts,
            generation,
            analyse if connection.vendor == "postgresql" else None,
            vacuumed=keep,
        )
        return data

    def measure_load(self, results, options) -> None:
        self.stdout.write(
            f"Charge : gunicorn ({options['workers']} processus) sur 127.0.0.1, {options['clients']} clients "
            f"concurrents, {options['load_seconds']:g} s par page ; {report.machine_load()}…"
        )
        timings = load.measure(
            self.personas,
            clients=options["clients"],
            seconds=options["load_seconds"],
            workers=options["workers"],
        )
        report.load(self.stdout.write, timings)
        results["load"] = timings.as_json()
        results["load_average_after_load"] = os.getloadavg() if hasattr(os, "getloadavg") else None

    def analyse(self, *models, vacuum: bool) -> float:
        """Planner statistics for the rows just written (PostgreSQL counts its own transaction's rows),
        as a production database has them; rolled back with the rest. A kept database (``vacuum``),
        committed, is vacuumed too: autovacuum keeps a live database's visibility map, which lets
        PostgreSQL count and sort from an index alone (a network's current sheets counted: 83 → 41 ms).
        The tables of ``models``, or every table."""
        if connection.vendor != "postgresql":
            return 0.0
        started = time.perf_counter()
        command = "VACUUM ANALYZE" if vacuum else "ANALYZE"
        tables = ", ".join(model._meta.db_table for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {tables}".rstrip())
        return time.perf_counter() - started
