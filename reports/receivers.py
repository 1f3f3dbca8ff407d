"""The kept dashboards (``reports.dashboard.kept``) go stale when a record they count is written."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from core.signals import records_written
from reports.dashboard import kept


@receiver(post_save, dispatch_uid="reports.kept.saved")
@receiver(post_delete, dispatch_uid="reports.kept.deleted")
@receiver(m2m_changed, dispatch_uid="reports.kept.linked")
def record_changed(sender, **kwargs) -> None:
    if kept.counts(sender):
        kept.changed()


@receiver(records_written, dispatch_uid="reports.kept.written")
def records_written_in_bulk(sender, *, models, **kwargs) -> None:
    if any(kept.counts(model) for model in models):
        kept.changed()
