"""Demo booklet: every document in every state, created through the services (real signatures,
links and audit events). Re-running changes nothing."""

from __future__ import annotations

import datetime

from demo.evaluations import seed_evaluations
from demo.missions import seed_missions
from demo.sheets import seed_sheets
from demo.visits import seed_visits


def seed_livret(*, today: datetime.date) -> dict:
    return {
        **seed_sheets(today=today),
        **seed_visits(today=today),
        **seed_missions(today=today),
        **seed_evaluations(today=today),
    }
