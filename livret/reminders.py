"""Reminders that escalate, and one daily digest per person instead of a mail per item.

``record_reminders`` walks the waiting rules (``livret.waiting``) and records, once, each notice that
is due today: ``NEW`` when a document starts waiting for someone (unless its own action mail already
went out at once, as the company tutor's countersignature link), a reminder at each threshold
(``LIVRET_REMINDER_DAYS``: day 3 and day 10; day 3 and day 6 for a head of diploma), then
``ESCALATION`` to the people told (the school tutor at ``LIVRET_ESCALATION_DAYS``; staff when a
mission has waited past the charter's week). ``send_digests`` mails each person's unsent notices in
one message, skipping documents that no longer wait, and marks them sent. Both are idempotent.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.models import Role, User
from core.workflow import links
from livret import notifications
from livret.models import Reminder
from livret.waiting import RULES, Rule, apprentice_of, label_of, staff_of

RULES_BY_KEY = {rule.key: rule for rule in RULES}


def _notices(rule: Rule, doc, today: datetime.date):
    """(level, person) pairs due today for ``doc`` under ``rule``."""
    new_at = rule.new_at(doc)
    if new_at is not None:
        for person in rule.recipients(doc):
            yield Reminder.NEW, person
    late_from = rule.late_from(doc)
    if late_from is None:
        return
    waited = (today - timezone.localdate(late_from)).days
    for level, days in enumerate(rule.days, start=1):
        if waited >= days:
            for person in rule.recipients(doc):
                yield level, person
    if rule.escalate_after is not None and waited >= rule.escalate_after:
        for person in rule.escalate_to(doc):
            yield Reminder.ESCALATION, person


def record_reminders(*, today: datetime.date) -> int:
    """Record every notice due today; a second run the same day records nothing. Returns the count."""
    staff_of.cache_clear()
    before = Reminder.objects.count()
    rows = []
    for rule in RULES:
        documents = rule.documents(today)
        document_type = ContentType.objects.get_for_model(documents.model)
        for doc in documents:
            since = rule.new_at(doc) or rule.late_from(doc)
            if since is None:
                continue
            rows.extend(
                Reminder(
                    document_type=document_type,
                    document_id=doc.pk,
                    rule=rule.key,
                    waiting_since=since,
                    level=level,
                    recipient_email=person.email.lower(),
                    recipient_name=person.name,
                )
                for level, person in _notices(rule, doc, today)
            )
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return Reminder.objects.count() - before


def _url(rule: Rule, doc, person_has_account: bool, recipient) -> str:
    if rule.link is not None and not person_has_account:
        _link, token = links.issue(
            document=doc,
            action=rule.link.action,
            email=recipient.recipient_email,
            name=recipient.recipient_name,
        )
        return rule.link.url(doc, token)
    return settings.SITE_URL + rule.url(doc)


def send_digests(*, today: datetime.date) -> int:
    """Mail each person their unsent notices, in one message. Returns the number of mails sent."""
    pending = list(Reminder.objects.filter(sent_at=None).order_by("recipient_email", "rule", "document_id"))
    if not pending:
        return 0
    # The documents that still wait, per rule, in one query each.
    still_waiting = {}
    for key, ids in _ids_by_rule(pending).items():
        rule = RULES_BY_KEY.get(key)
        if rule is not None:
            still_waiting[key] = rule.documents(today).in_bulk(ids)
    with_account = set(
        User.objects.filter(email__in={r.recipient_email for r in pending}, is_active=True).values_list(
            "email", flat=True
        )
    )
    with_account = {email.lower() for email in with_account}
    by_person = defaultdict(list)
    for reminder in pending:
        by_person[reminder.recipient_email].append(reminder)
    sent = 0
    for email, reminders in by_person.items():
        items = _digest_items(reminders, still_waiting, today, email in with_account)
        if items:
            notifications.digest(
                email=email,
                name=reminders[0].recipient_name,
                items=items,
                home_url=settings.SITE_URL + reverse("home") if email in with_account else "",
            )
            sent += 1
        with transaction.atomic():
            Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(sent_at=timezone.now())
    return sent


def _ids_by_rule(pending) -> dict[str, set[int]]:
    ids = defaultdict(set)
    for reminder in pending:
        ids[reminder.rule].add(reminder.document_id)
    return ids


def _digest_items(reminders, still_waiting, today, has_account: bool) -> list[dict]:
    """One line per (rule, document) with its highest level; documents that no longer wait drop out."""
    highest = {}
    for reminder in reminders:
        key = (reminder.rule, reminder.document_id)
        if key not in highest or reminder.level > highest[key].level:
            highest[key] = reminder
    items = []
    for (rule_key, document_id), reminder in sorted(highest.items()):
        doc = still_waiting.get(rule_key, {}).get(document_id)
        if doc is None:
            continue
        rule = RULES_BY_KEY[rule_key]
        late_from = rule.late_from(doc)
        items.append(
            {
                "kind": rule.kind,
                "verb": rule.verb,
                "who": " / ".join(sorted(str(Role(role).label) for role in rule.roles)),
                "label": label_of(doc),
                "apprentice": apprentice_of(doc),
                "level": reminder.level,
                "escalation": reminder.level == Reminder.ESCALATION,
                "reminder": Reminder.NEW < reminder.level < Reminder.ESCALATION,
                "days": (today - timezone.localdate(late_from)).days if late_from else 0,
                "url": _url(rule, doc, has_account, reminder),
            }
        )
    return items
