"""Signals of the ground floor, for the apps above that keep a copy of what it holds.

A person's account carries their name and phone; the apprentice's record and the company tutor's keep
their own copy (the CFA's register). When the person corrects theirs on « Mon compte »,
``contact_details_changed`` is sent inside the same transaction, so that each app brings its record in
step: the arrows keep pointing down (``core`` knows nothing of apprentices or tutors).
"""

from django.dispatch import Signal

# Sent with ``user`` (saved) and ``changes`` ({field: (old, new)} of first_name, last_name, phone).
contact_details_changed = Signal()

# Sent with ``models`` (the model classes written) by a service that writes records in bulk
# (``bulk_create``, ``bulk_update``, ``QuerySet.update()``: no ``post_save``), so that what keeps a
# computed copy of them (the dashboards, ``reports.dashboard.kept``) knows it is stale.
records_written = Signal()
