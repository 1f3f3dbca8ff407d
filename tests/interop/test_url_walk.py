"""Every named page of interop, for every role, on a report of the organisation and on a foreign one.

The patterns are read from the resolver, as ``tests/test_url_walk.py`` does for core, apprentices and
employers: a new page of the import fails ``test_every_interop_page_is_walked`` until it is known here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import Role
from interop.services import planning
from tests.apprentices.factories import DiplomaFactory
from tests.conftest import ORGANISATION_WIDE, ROLES
from tests.core.factories import UserFactory
from tests.interop.factories import csv_bytes, row

POST_ONLY = {"interop:report_confirm"}
WALKED = {
    "interop:import_home",
    "interop:export",
    "interop:export_home",
    "interop:export_xlsx",
    "interop:template",
    "interop:report_detail",
    "interop:report_confirm",
    "interop:report_status",
    "interop:report_rejected",
}


def interop_patterns():
    found = {}

    def walk(resolver, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name and entry.lookup_str.startswith("interop."):
                found[f"{namespace}{entry.name}"] = tuple(entry.pattern.converters)

    walk(get_resolver(), "")
    return found


def test_every_interop_page_is_walked():
    assert set(interop_patterns()) == WALKED


def make_report(organisation, by):
    DiplomaFactory(organisation=organisation, rncp_code="RNCP36000", cfd_code="36000001")
    data = csv_bytes([row(300, formation_rncp="RNCP36000", formation_cfd="36000001")])
    return planning.preview_import(organisation=organisation, data=data, file_name="e.csv", by=by)


@pytest.mark.parametrize("role", [None, "nobody", *ROLES])
def test_every_interop_page_answers_each_role_with_the_expected_status(client, world, role):
    mine = make_report(world.organisation, world.users["staff"])
    foreign_staff = UserFactory(organisation=world.other_organisation, roles=[Role.STAFF])
    foreign = make_report(world.other_organisation, foreign_staff)
    if role == "nobody":
        client.force_login(UserFactory(organisation=world.organisation))
    elif role is not None:
        client.force_login(world.users[role])
    mismatches = []
    for name, args in interop_patterns().items():
        for report, chain in ((mine, "mine"), (foreign, "foreign")) if args else ((None, None),):
            url = reverse(name, args=[report.pk]) if report else reverse(name)
            # A GET on the confirmation is refused whoever asks; only its POST is walked.
            status = client.post(url).status_code if name in POST_ONLY else client.get(url).status_code
            if role is None:
                expected = 302
            elif role in ORGANISATION_WIDE and chain != "foreign":
                expected = 302 if name in POST_ONLY else 200
            else:
                expected = 404
            if status != expected:
                mismatches.append(f"{url} ({name}, {chain or '-'}) : {status} au lieu de {expected}")
    assert not mismatches, "\n".join(mismatches)
