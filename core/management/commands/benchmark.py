"""``python manage.py benchmark [--apprentices 2000] [--years 3] [--requests 20] [--seed 1] [--json FILE]``

Generates a synthetic CFA (see :mod:`core.benchmark`), measures the pages each role opens every day,
the recomputation of the quality indicators against the same aggregates in raw SQL, and a diploma's
compliance PDF, then rolls everything back.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apprentices.models import Diploma
from core import benchmark
from core.models import Role
from quality.indicators import INDICATORS
from quality.indicators.base import judged_on
from quality.models import year_as_of
from quality.services import computation

TARGET_MS = 150
PDF_TARGET_S = 2.0

# (label, URL name, arguments from the personas): the pages a person opens every day. A name that does
# not exist (yet) in this checkout is left out, so the command keeps working as the platform grows.
PAGES = [
    ("Accueil", "home", lambda p: []),
    ("Apprentis", "apprentices:apprentice_list", lambda p: []),
    ("Employeurs", "employers:employer_list", lambda p: []),
    ("Fiches de liaison", "livret:sheet_list", lambda p: []),
    ("Visites", "livret:visit_list", lambda p: []),
    ("Missions", "livret:mission_list", lambda p: []),
    ("Livret d'un apprenti", "livret:booklet", lambda p: [p.apprentice.pk]),
    ("Contrat", "apprentices:contract_detail", lambda p: [p.contract.pk]),
    ("Fiche de liaison", "livret:sheet_detail", lambda p: [p.sheet.pk] if p.sheet else None),
    ("Qualité : tableau de bord", "quality:dashboard", lambda p: []),
    ("Qualité : trajectoire", "quality:trajectory", lambda p: [p.diploma.pk, p.year.label]),
    ("Tableau de bord", "reports:dashboard", lambda p: []),
]
ROLES = ["apprentice", "company_tutor", "school_tutor", "head_of_diploma", "staff", "admin"]


class Rollback(Exception):
    """Raised at the end of the run: nothing the benchmark wrote survives it."""


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: p95 of 20 samples is the 19th smallest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


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
        self.stdout.write(f"Charge de la machine au départ : {self.load()}.")
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
        today = timezone.localdate()
        self.stdout.write(
            f"Génération : {apprentices} apprentis, {years} année(s), graine {seed}, "
            f"base {connection.vendor}…"
        )
        started = time.perf_counter()
        data = benchmark.generate(
            apprentices=apprentices, years=years, seed=seed, today=today, log=self.stdout.write
        )
        generation = time.perf_counter() - started
        analyse = self.analyse()
        results["generation_s"] = round(generation, 2)
        results["analyze_s"] = round(analyse, 2)
        results["rows"] = data.counts
        self.stdout.write(
            f"Données générées en {generation:.1f} s ({sum(data.counts.values())} lignes"
            + (f", ANALYZE {analyse:.1f} s" if connection.vendor == "postgresql" else "")
            + ") : "
            + ", ".join(f"{n} {name}" for name, n in data.counts.items())
        )
        # The pages read the indicators the nightly recomputation stores: it runs first.
        results["indicators"] = self.indicators(data, today)
        results["pages"] = self.pages(data)
        with self.page_settings():  # the PDF's stylesheet is a static file, named as the pages name theirs
            results["pdf"] = self.pdf(data)
        results["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
        self.stdout.write(
            f"Charge de la machine à la fin : {self.load()} (au-delà du nombre de cœurs, les temps gonflent)."
        )

    def load(self) -> str:
        if not hasattr(os, "getloadavg"):
            return "inconnue"
        one, five, fifteen = os.getloadavg()
        return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} sur {os.cpu_count()} cœur(s)"

    def analyse(self) -> float:
        """Planner statistics for the rows just written (PostgreSQL counts its own transaction's rows),
        as a production database has them; rolled back with the rest."""
        if connection.vendor != "postgresql":
            return 0.0
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return time.perf_counter() - started

    # Pages ----------------------------------------------------------------------------------------

    def page_settings(self):
        overrides = {
            "ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "testserver"],
            "SECURE_SSL_REDIRECT": False,
            # Staff have enrolled their second factor in production: the check passes once per session.
            "MFA_REQUIRED_FOR_STAFF": False,
        }
        backend = settings.STORAGES["staticfiles"]["BACKEND"]
        if "Manifest" in backend and not os.path.exists(
            os.path.join(settings.STATIC_ROOT, "staticfiles.json")
        ):
            # Without collectstatic the manifest storage cannot name a file; the plain storage costs the
            # same once the manifest is in memory.
            overrides["STORAGES"] = {
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
        return override_settings(**overrides)

    def pages(self, data) -> list[dict]:
        personas = data.personas
        urls, missing = [], []
        for label, name, arguments in PAGES:
            args = arguments(personas)
            if args is None:
                continue
            try:
                urls.append((label, name, reverse(name, args=args)))
            except NoReverseMatch:
                missing.append(name)
        rows, refused = [], []
        with self.page_settings():
            for role in self.roles:
                user = personas.users.get(role)
                if user is None:
                    continue
                client = Client()
                client.force_login(user)
                for label, name, url in urls:
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(url)
                    # Read now: the captured queries are a slice of a log that the next request clears.
                    count = len(queries)
                    if response.status_code != 200:
                        refused.append(f"{label} ({Role(role).label} : {response.status_code})")
                        continue
                    timings = []
                    for _ in range(self.requests):
                        started = time.perf_counter()
                        response = client.get(url)
                        timings.append((time.perf_counter() - started) * 1000)
                        if response.status_code != 200:
                            raise CommandError(f"{url} a répondu {response.status_code} à {role}.")
                    p95 = percentile(timings, 0.95)
                    rows.append(
                        {
                            "page": label,
                            "url_name": name,
                            "url": url,
                            "role": role,
                            "p50_ms": round(statistics.median(timings), 1),
                            "p95_ms": round(p95, 1),
                            "queries": count,
                            "ok": p95 < TARGET_MS,
                        }
                    )
        self.print_pages(rows, refused, missing)
        return rows

    def print_pages(self, rows, refused, missing):
        header = ("Page", "Rôle", "p50 ms", "p95 ms", "requêtes", "verdict")
        table = [
            (
                row["page"],
                str(Role(row["role"]).label),
                f"{row['p50_ms']:.1f}",
                f"{row['p95_ms']:.1f}",
                str(row["queries"]),
                "OK" if row["ok"] else f"LENT (> {TARGET_MS} ms)",
            )
            for row in rows
        ]
        widths = [max(len(line[i]) for line in [header, *table]) for i in range(len(header))]
        right = {2, 3, 4}

        def line(cells):
            return "  ".join(
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )

        self.stdout.write("")
        self.stdout.write(
            f"Pages ({self.requests} requêtes mesurées par page après une première non comptée ; "
            f"cible p95 < {TARGET_MS} ms) :"
        )
        self.stdout.write(line(header))
        self.stdout.write("  ".join("-" * w for w in widths))
        for cells in table:
            self.stdout.write(line(cells))
        slow = [row for row in rows if not row["ok"]]
        self.stdout.write(
            f"{len(rows) - len(slow)}/{len(rows)} pages sous la cible."
            + (" Au-dessus : " + ", ".join(f"{r['page']} ({r['role']})" for r in slow) + "." if slow else "")
        )
        self.stdout.write(
            "Requêtes : comptées à cette taille ; les tests de pages (django_assert_num_queries) vérifient "
            "qu'elles ne croissent pas avec les données (comparez deux tailles avec --json)."
        )
        if refused:
            self.stdout.write("Non ouvertes à ce rôle (non mesurées) : " + ", ".join(refused) + ".")
        if missing:
            self.stdout.write("Absentes de cette version : " + ", ".join(missing) + ".")

    # Indicators -----------------------------------------------------------------------------------

    def indicators(self, data, today) -> dict:
        diplomas = Diploma.objects.filter(organisation=data.organisation).order_by("pk")
        ids = list(diplomas.values_list("pk", flat=True))
        current = data.years[-1]
        timings = {}
        for year in reversed(data.years):
            started = time.perf_counter()
            computation.compute_indicators(year=year, diplomas=diplomas, today=today)
            timings[year.label] = time.perf_counter() - started
        half_ids = ids[: max(1, len(ids) // 2)]
        started = time.perf_counter()
        computation.compute_indicators(
            year=current, diplomas=Diploma.objects.filter(pk__in=half_ids), today=today
        )
        half = time.perf_counter() - started
        # Each indicator's share, from the progress callback the recomputation reports after each one.
        marks = []
        started = time.perf_counter()
        computation.compute_indicators(
            year=current,
            diplomas=diplomas,
            today=today,
            progress=lambda done, total: marks.append(time.perf_counter()),
        )
        full = time.perf_counter() - started
        per_indicator = {
            code: round((mark - previous) * 1000, 1)
            for code, mark, previous in zip(INDICATORS, marks, [started, *marks], strict=False)
        }
        slowest = sorted(per_indicator.items(), key=lambda item: -item[1])[:3]
        as_of = year_as_of(current, today)
        comparisons = []
        for code, raw in (
            ("rupture_rate", self.raw_rupture_rate),
            ("sheets_on_time", self.raw_sheets_on_time),
            ("missions_validated", self.raw_missions_validated),
        ):
            orm_s, figures = best_of(3, lambda code=code: INDICATORS[code].compute(ids, current, as_of))
            raw_s, raw_figures = best_of(3, lambda raw=raw: raw(ids, current, as_of))
            same = all(
                (figures[pk].numerator, figures[pk].denominator) == raw_figures.get(pk, (0, 0)) for pk in ids
            )
            comparisons.append(
                {
                    "indicator": code,
                    "orm_ms": round(orm_s * 1000, 1),
                    "raw_sql_ms": round(raw_s * 1000, 1),
                    "ratio": round(orm_s / raw_s, 2) if raw_s else None,
                    "same_figures": same,
                }
            )
        result = {
            "diplomas": len(ids),
            "indicators": len(INDICATORS),
            "by_year_s": {label: round(s, 2) for label, s in timings.items()},
            "current_year_s": round(full, 2),
            "half_diplomas_s": round(half, 2),
            "full_over_half": round(full / half, 2) if half else None,
            "per_indicator_ms": per_indicator,
            "orm_vs_raw_sql": comparisons,
        }
        self.stdout.write("")
        self.stdout.write(
            f"Recalcul des indicateurs ({len(INDICATORS)} indicateurs, {len(ids)} formations) : "
            + ", ".join(f"{label} {s:.2f} s" for label, s in timings.items())
            + f". Année {current} : {full:.2f} s pour toutes les formations, {half:.2f} s pour la moitié "
            f"({len(half_ids)}) : rapport {result['full_over_half']} (linéaire : ≈ 2)."
        )
        self.stdout.write(
            "Indicateurs les plus longs : " + ", ".join(f"{code} {ms:.0f} ms" for code, ms in slowest) + "."
        )
        self.stdout.write("Mêmes agrégats en SQL brut (meilleur de 3) — cible : ORM ≤ 2× SQL brut :")
        for row in comparisons:
            verdict = "OK" if row["ratio"] is not None and row["ratio"] <= 2 else "AU-DELÀ DE 2×"
            self.stdout.write(
                f"  {row['indicator']:<20} ORM {row['orm_ms']:>8.1f} ms  "
                f"SQL brut {row['raw_sql_ms']:>8.1f} ms  "
                f"×{row['ratio']}  {verdict}" + ("" if row["same_figures"] else "  (chiffres différents !)")
            )
        return result

    def in_list(self, ids) -> str:
        return ", ".join(["%s"] * len(ids))

    def fetch(self, sql, params) -> dict[int, tuple[int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {diploma: (int(num or 0), int(den)) for diploma, num, den in cursor.fetchall()}

    def active_during_sql(self, alias="c") -> str:
        return (
            f"{alias}.start_date <= %s AND (({alias}.rupture_date IS NOT NULL AND {alias}.rupture_date >= %s)"
            f" OR ({alias}.rupture_date IS NULL AND {alias}.planned_end_date >= %s))"
        )

    def raw_rupture_rate(self, ids, year, as_of):
        sql = f"""
            SELECT c.diploma_id,
                   SUM(CASE WHEN c.status = 'ruptured' AND c.rupture_date >= %s AND c.rupture_date <= %s
                             AND NOT (c.diploma_outcome = 'yes' AND c.diploma_outcome_date IS NOT NULL
                                      AND c.diploma_outcome_date <= c.rupture_date)
                            THEN 1 ELSE 0 END),
                   COUNT(*)
            FROM apprentices_contract c
            WHERE c.diploma_id IN ({self.in_list(ids)}) AND {self.active_during_sql()}
            GROUP BY c.diploma_id
        """
        start = min(as_of, year.end_date)
        return self.fetch(sql, [year.start_date, as_of, *ids, start, year.start_date, year.start_date])

    def signed_day_sql(self, column) -> str:
        if connection.vendor == "postgresql":
            return f"({column} AT TIME ZONE %s)::date"
        return f"django_datetime_cast_date({column}, %s, 'UTC')"

    def raw_sheets_on_time(self, ids, year, as_of):
        sql = f"""
            SELECT c.diploma_id, SUM(CASE WHEN s.late = 0 THEN 1 ELSE 0 END), COUNT(*)
            FROM (
                SELECT ls.contract_id,
                       SUM(CASE WHEN ls.countersigned_at IS NULL
                                  OR {self.signed_day_sql("ls.countersigned_at")} > ls.due_date
                                THEN 1 ELSE 0 END) AS late
                FROM livret_liaisonsheet ls
                WHERE ls.is_current = %s AND ls.due_date >= %s AND ls.due_date <= %s
                  AND (ls.due_date < %s OR ls.countersigned_at IS NOT NULL)
                GROUP BY ls.contract_id
            ) s
            JOIN apprentices_contract c ON c.id = s.contract_id
            WHERE c.diploma_id IN ({self.in_list(ids)})
            GROUP BY c.diploma_id
        """
        params = [settings.TIME_ZONE, True, year.start_date, year.end_date, judged_on(year, as_of), *ids]
        return self.fetch(sql, params)

    def raw_missions_validated(self, ids, year, as_of):
        sql = f"""
            SELECT c.diploma_id,
                   SUM(CASE WHEN EXISTS (
                       SELECT 1 FROM livret_missiondescription m
                       WHERE m.contract_id = c.id AND m.academic_year_id = %s AND m.status = 'validated'
                   ) THEN 1 ELSE 0 END),
                   COUNT(*)
            FROM apprentices_contract c
            WHERE c.diploma_id IN ({self.in_list(ids)}) AND {self.active_during_sql()}
            GROUP BY c.diploma_id
        """
        start = min(as_of, year.end_date)
        return self.fetch(sql, [year.pk, *ids, start, year.start_date, year.start_date])

    # PDF ------------------------------------------------------------------------------------------

    def pdf(self, data) -> dict:
        self.stdout.write("")
        try:
            from quality.pdf import diploma_compliance_pdf
        except ImportError:
            self.stdout.write("PDF de conformité d'une formation : non disponible dans cette version.")
            return {"available": False}
        personas = data.personas
        kwargs = {}
        if "by" in inspect.signature(diploma_compliance_pdf).parameters:
            kwargs["by"] = personas.users["staff"]
        timings = []
        runs = min(3, self.requests)
        for _ in range(runs):
            started = time.perf_counter()
            content = diploma_compliance_pdf(personas.diploma, personas.year, **kwargs)
            timings.append(time.perf_counter() - started)
        best, worst = min(timings), max(timings)
        verdict = "OK" if worst < PDF_TARGET_S else f"LENT (> {PDF_TARGET_S:g} s)"
        self.stdout.write(
            f"PDF de conformité d'une formation ({len(content or b'') // 1024} Kio) : "
            f"{best:.2f} s au mieux, {worst:.2f} s au pire sur {runs} — "
            f"cible < {PDF_TARGET_S:g} s : {verdict}."
        )
        return {
            "available": True,
            "best_s": round(best, 2),
            "worst_s": round(worst, 2),
            "ok": worst < PDF_TARGET_S,
        }


def best_of(n, function):
    best, result = None, None
    for _ in range(n):
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, result
