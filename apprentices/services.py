"""Writes on contracts. Each change goes through ``save`` so that it is audited."""

import datetime

from django.db import transaction

from apprentices.models import Contract
from core.audit import acting_as


def close_finished_contracts(*, today: datetime.date, actor=None) -> int:
    """Active contracts past their planned end become completed; returns how many changed."""
    closed = 0
    with acting_as(actor, via="task"):
        ids = list(
            Contract.objects.filter(status=Contract.Status.ACTIVE, planned_end_date__lt=today).values_list(
                "pk", flat=True
            )
        )
        for pk in ids:
            with transaction.atomic():
                contract = Contract.objects.select_for_update().get(pk=pk)
                if contract.status != Contract.Status.ACTIVE or contract.planned_end_date >= today:
                    continue
                contract.status = Contract.Status.COMPLETED
                contract.save(update_fields=["status", "updated_at"])
                closed += 1
    return closed
