"""What the tests of the mission description's pages share: the content type warmed so that query
counts are steady, and a draft saved from the page. The description's statuses, the saved text and
a fresh copy come from ``missions_support``, as for the service tests."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from livret.models import MissionDescription
from tests.livret.missions_support import NEW_TEXT


@pytest.fixture(autouse=True)
def _content_types_cached(db):
    """Signatures and the audit trail look up the description's content type: Django caches it for
    the process; warm it so that every count is the steady one, whatever ran before."""
    ContentType.objects.get_for_model(MissionDescription)


def save(client, mission, *, action="save", json_=False, **data):
    headers = {"Accept": "application/json"} if json_ else {}
    return client.post(
        reverse("livret:mission_save", args=[mission.pk]),
        {**NEW_TEXT, "revision": mission.revision, "action": action, **data},
        headers=headers,
    )
