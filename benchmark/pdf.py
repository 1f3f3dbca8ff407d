"""The compliance PDF of one diploma, rendered a few times against a target."""

from __future__ import annotations

import time
from dataclasses import dataclass

from benchmark.cfa import Personas
from quality.pdf import diploma_compliance_pdf

PDF_TARGET_S = 2.0


@dataclass
class PdfTimings:
    best: float
    worst: float
    runs: int
    size: int

    @property
    def ok(self) -> bool:
        return self.worst < PDF_TARGET_S

    def as_json(self) -> dict:
        return {
            "available": True,
            "best_s": round(self.best, 2),
            "worst_s": round(self.worst, 2),
            "ok": self.ok,
        }


def measure(personas: Personas, runs: int) -> PdfTimings:
    timings = []
    content = b""
    for _ in range(runs):
        started = time.perf_counter()
        content = diploma_compliance_pdf(personas.diploma, personas.year, by=personas.users["staff"])
        timings.append(time.perf_counter() - started)
    return PdfTimings(best=min(timings), worst=max(timings), runs=runs, size=len(content or b""))
