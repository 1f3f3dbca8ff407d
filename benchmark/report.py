"""What ``manage.py benchmark`` prints: the machine's load, the data generated, the pages table, the
indicators against their floors and the PDF, in French, through a ``write`` function (the command's
standard output)."""

from __future__ import annotations

import os

from benchmark.goals import LINEAR_AT_MOST, Goal
from benchmark.indicators import FLOOR_RATIO, IndicatorTimings
from benchmark.load import LoadTimings, cpu_shares
from benchmark.pages import TARGET_MS, PageTimings
from benchmark.pdf import PDF_TARGET_S, PdfTimings
from core.models import Role


def machine_load() -> str:
    if not hasattr(os, "getloadavg"):
        return "inconnue"
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} sur {os.cpu_count()} cœur(s)"


def generation(
    write, counts: dict[str, int], seconds: float, analyse: float | None, *, vacuumed: bool = False
) -> None:
    """``analyse`` is the time of PostgreSQL's ANALYZE (``vacuumed``: VACUUM ANALYZE, a kept database),
    None on another database."""
    write(
        f"Données générées en {seconds:.1f} s ({sum(counts.values())} lignes"
        + (f", {'VACUUM ANALYZE' if vacuumed else 'ANALYZE'} {analyse:.1f} s" if analyse is not None else "")
        + ") : "
        + ", ".join(f"{n} {name}" for name, n in counts.items())
    )


def pages(write, timings: PageTimings, requests: int) -> None:
    rows = timings.rows
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

    write("")
    write(
        f"Pages ({requests} requêtes mesurées par page après une première non comptée ; "
        f"cible p95 < {TARGET_MS} ms) :"
    )
    write(line(header))
    write("  ".join("-" * w for w in widths))
    for cells in table:
        write(line(cells))
    slow = [row for row in rows if not row["ok"]]
    write(
        f"{len(rows) - len(slow)}/{len(rows)} pages sous la cible."
        + (" Au-dessus : " + ", ".join(f"{r['page']} ({r['role']})" for r in slow) + "." if slow else "")
    )
    write(
        "Requêtes : comptées à cette taille ; les tests de pages (django_assert_num_queries) vérifient "
        "qu'elles ne croissent pas avec les données (comparez deux tailles avec --json)."
    )
    if timings.refused:
        write("Non ouvertes à ce rôle (non mesurées) : " + ", ".join(timings.refused) + ".")
    if timings.missing:
        write("Absentes de cette version : " + ", ".join(timings.missing) + ".")


def indicators(write, timings: IndicatorTimings) -> None:
    slowest = sorted(timings.per_indicator_ms.items(), key=lambda item: -item[1])[:3]
    write("")
    write(
        f"Recalcul des indicateurs ({timings.indicators} indicateurs, {timings.diplomas} formations) : "
        + ", ".join(f"{label} {s:.2f} s" for label, s in timings.by_year.items())
        + f". Année {timings.current_year} : {timings.full:.2f} s pour toutes les formations, "
        f"{timings.half:.2f} s pour la moitié ({timings.half_diplomas}) : rapport {timings.full_over_half} "
        f"(linéaire : {LINEAR_AT_MOST} au plus ; moins de 2 : le coût fixe d'un recalcul)."
    )
    write("Indicateurs les plus longs : " + ", ".join(f"{code} {ms:.0f} ms" for code, ms in slowest) + ".")
    write(f"Mêmes agrégats en SQL brut (meilleur de 3) — cible : ORM ≤ {FLOOR_RATIO}× SQL brut :")
    for row in timings.comparisons:
        within = row["ratio"] is not None and row["ratio"] <= FLOOR_RATIO
        verdict = "OK" if within else f"AU-DELÀ DE {FLOOR_RATIO}×"
        write(
            f"  {row['indicator']:<20} ORM {row['orm_ms']:>8.1f} ms  "
            f"SQL brut {row['raw_sql_ms']:>8.1f} ms  "
            f"×{row['ratio']}  {verdict}" + ("" if row["same_figures"] else "  (chiffres différents !)")
        )


def snapshots(write, *, apprentices: int, seconds: float) -> None:
    write(
        f"Statuts du jour enregistrés pour les tableaux de bord (tâche Celery, après minuit) : "
        f"{apprentices} apprentis en {seconds:.2f} s."
    )


def booklet_activity(write, *, contracts: int, seconds: float) -> None:
    write(
        f"Dernière activité des livrets enregistrée pour les tableaux de bord (tâche Celery) : "
        f"{contracts} contrats en {seconds:.2f} s."
    )


def pdf(write, timings: PdfTimings) -> None:
    write("")
    verdict = "OK" if timings.ok else f"LENT (> {PDF_TARGET_S:g} s)"
    write(
        f"PDF de conformité d'une formation ({timings.size // 1024} Kio) : "
        f"{timings.best:.2f} s au mieux, {timings.worst:.2f} s au pire sur {timings.runs} — "
        f"cible < {PDF_TARGET_S:g} s : {verdict}."
    )


def load(write, timings: LoadTimings) -> None:
    write("")
    write(f"Sous charge (gunicorn, {timings.workers} processus ; nouvelle connexion par requête) :")
    for row in timings.rows:
        if row.rps_target is None:
            judged = "référence, sans cible"
        else:
            wanted = f"≥ {row.rps_target} req/s" + (f", p95 < {row.p95_target} ms" if row.p95_target else "")
            judged = f"cible {wanted} : {'OK' if row.ok else 'MANQUÉ'}"
        write(
            f"  {row.page} ({Role(row.role).label}) : {row.rps:.1f} req/s, p50 {row.p50_ms:.0f} ms, "
            f"p95 {row.p95_ms:.0f} ms, {row.done} réponses, {row.errors} erreur(s), {row.clients} clients "
            f"en {row.seconds:.1f} s — {judged}"
        )
        if row.cpu:
            spent = row.server_ms
            per_request = f" ; {spent} ms de processeur du serveur par requête" if spent else ""
            write(
                f"    processeur pendant la mesure ({os.cpu_count()} cœur(s)) : {cpu_shares(row.cpu)}"
                f"{per_request}"
            )
    write(f"Charge de la machine après la charge : {machine_load()}.")


def goals(write, judged: list[Goal]) -> None:
    write("")
    write("Objectifs :")
    for goal in judged:
        write(f"  [{goal.verdict}] {goal.name} — {goal.reason}.")
