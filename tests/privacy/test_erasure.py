"""Erasure of expired personal data: who is anonymised (contracts ended more than RETENTION_YEARS ago),
what is kept (every statistic, every signature's hash), the audit, idempotence."""

from __future__ import annotations

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from django.db.models import Q
from django.utils import timezone

from apprentices.models import Apprentice, Contract, Diploma, LegalRepresentative
from core.models import AcademicYear, ActionLink, AuditEvent, Signature, User
from core.workflow.signatures import is_intact
from interop.models import ImportReport, ImportRow
from livret.models import LiaisonSheet, MissionDecision, MissionDescription, Reminder, VisitReport
from privacy import services
from privacy.models import Erasure
from quality.models import year_as_of
from quality.services.computation import compute_figures
from reports.dashboard import Scope, alerts, key_figures
from tests.apprentices.factories import ContractFactory, LegalRepresentativeFactory
from tests.core.factories import AcademicYearFactory
from tests.privacy.conftest import (
    APPRENTICE_ADDRESS,
    APPRENTICE_PHONE,
    REPRESENTATIVE_EMAIL,
    end_contract,
    inside_window,
    outside_window,
)

TODAY = timezone.localdate()


def erase(**kwargs):
    return services.erase_expired(TODAY, **kwargs)


@pytest.fixture
def expired(world, booklet):
    """``world.mine``'s only contract ended the day before the retention window; the identities the
    erasure must remove."""
    end_contract(world.mine.contract, outside_window(TODAY))
    apprentice, account = booklet["apprentice"], booklet["apprentice"].user
    return {
        **booklet,
        "secrets": [
            "Léonie",
            "Durandal",
            apprentice.email,
            account.email,
            account.first_name,
            APPRENTICE_PHONE,
            APPRENTICE_ADDRESS,
            "1234567890A",
            "2009-05-17",
            "Martine",
            REPRESENTATIVE_EMAIL,
            "01 23 45 67 89",
        ],
    }


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


# Who is erased --------------------------------------------------------------------------------------


@pytest.mark.parametrize("ruptured", [False, True])
def test_a_contract_ended_more_than_the_retention_ago_is_erased(world, ruptured):
    end_contract(world.mine.contract, outside_window(TODAY), ruptured=ruptured)
    result = erase()
    assert result.apprentices == 1
    assert Erasure.objects.get().apprentice == world.mine.apprentice
    assert reload(world.mine.apprentice).last_name == f"anonymisé n° {world.mine.apprentice.pk}"


@pytest.mark.parametrize("ruptured", [False, True])
def test_a_contract_ended_exactly_the_retention_ago_is_kept(world, ruptured):
    end_contract(world.mine.contract, inside_window(TODAY), ruptured=ruptured)
    assert erase().apprentices == 0
    assert reload(world.mine.apprentice).last_name == world.mine.apprentice.last_name
    assert not Erasure.objects.exists()


def test_the_retention_follows_the_setting(world, settings):
    end_contract(world.mine.contract, TODAY - datetime.timedelta(days=3 * 366))
    assert erase(dry_run=True).apprentices == 0
    settings.RETENTION_YEARS = 3
    assert erase().apprentices == 1


def test_an_apprentice_with_a_later_contract_is_kept(world):
    end_contract(world.mine.contract, outside_window(TODAY))
    later = ContractFactory(apprentice=world.mine.apprentice, diploma=world.mine.diploma, completed=True)
    assert erase().apprentices == 0
    Contract.objects.filter(pk=later.pk).update(status=Contract.Status.ACTIVE)
    end_contract(later, outside_window(TODAY) - datetime.timedelta(days=10))
    Contract.objects.filter(pk=later.pk).update(status=Contract.Status.ACTIVE)
    assert erase().apprentices == 0, "a contract still marked running keeps its apprentice"


def test_the_people_of_running_contracts_are_untouched(world, expired):
    before = {
        chain: list(Apprentice.objects.filter(pk=getattr(world, chain).apprentice.pk).values())
        for chain in ("other", "foreign")
    }
    erase()
    for chain, rows in before.items():
        assert list(Apprentice.objects.filter(pk=getattr(world, chain).apprentice.pk).values()) == rows
        assert getattr(world, chain).apprentice.user.is_active


def test_an_apprentice_without_any_contract_is_not_erased(world):
    Contract.objects.filter(apprentice=world.mine.apprentice).delete()
    assert erase().apprentices == 0


# What is anonymised -------------------------------------------------------------------------------


def test_the_identity_is_anonymised_and_the_statistical_attributes_kept(world, expired):
    before = reload(expired["apprentice"])
    erase()
    after = reload(before)
    assert str(after) == f"Apprenti anonymisé n° {after.pk}"
    assert after.email == f"apprenti-{after.pk}@anonyme.invalid"
    assert (after.phone, after.address, after.postal_code, after.city, after.ine) == ("", "", "", "", "")
    assert after.birth_date == datetime.date(2009, 1, 1)
    assert (after.sex, after.cohort_id, after.option_id, after.rqth, after.organisation_id) == (
        before.sex,
        before.cohort_id,
        before.option_id,
        before.rqth,
        before.organisation_id,
    )


def test_the_legal_representatives_of_a_minor_are_anonymised_with_them(world, expired):
    second = LegalRepresentativeFactory(apprentice=expired["apprentice"], first_name="Paul", phone="07 00")
    result = erase()
    assert result.legal_representatives == 2
    for rep in (expired["representative"], second):
        after = reload(rep)
        assert str(after) == f"Représentant légal anonymisé n° {rep.pk}"
        assert after.email == f"representant-{rep.pk}@anonyme.invalid"
        assert (after.phone, after.relationship) == ("", "")


def test_the_account_is_deactivated_its_address_replaced_and_login_refused(client, world, expired):
    account = expired["apprentice"].user
    old_email = account.email
    erase()
    after = reload(account)
    assert not after.is_active and not after.has_usable_password()
    assert after.email == f"compte-{account.pk}@anonyme.invalid"
    assert (after.first_name, after.last_name, after.phone) == ("", "", "")
    assert not EmailAddress.objects.filter(Q(user=account) | Q(email__iexact=old_email)).exists()
    assert not client.login(username=old_email, password="demo-apprentissage")


def test_signers_recipients_and_unsigned_remarks_lose_the_identity(world, expired):
    apprentice, representative = expired["apprentice"], expired["representative"]
    erase()
    signers = set(Signature.objects.values_list("signer_name", "signer_email"))
    assert (f"Apprenti anonymisé n° {apprentice.pk}", f"apprenti-{apprentice.pk}@anonyme.invalid") in signers
    assert (
        f"Représentant légal anonymisé n° {representative.pk}",
        f"representant-{representative.pk}@anonyme.invalid",
    ) in signers
    assert set(ActionLink.objects.values_list("recipient_email", flat=True)) == {
        f"representant-{representative.pk}@anonyme.invalid"
    }
    assert set(Reminder.objects.values_list("recipient_email", flat=True)) == {
        f"apprenti-{apprentice.pk}@anonyme.invalid"
    }
    assert not LiaisonSheet.objects.exclude(return_reason="", school_comment="").exists()
    assert not MissionDecision.objects.exclude(comment="").exists()


def imported_row(organisation, apprentice, line=2):
    """A row of a fichier d'effectifs that read ``apprentice``, as the import stores it."""
    report, _created = ImportReport.objects.get_or_create(
        organisation=organisation, file_name="effectifs.csv", defaults={"sha256": "0" * 64}
    )
    return ImportRow.objects.create(
        report=report,
        line=line,
        action=ImportRow.Action.UPDATE,
        label=f"{apprentice.last_name} {apprentice.first_name} ({apprentice.birth_date:%d/%m/%Y})",
        values={
            "apprentice": {
                "last_name": apprentice.last_name.upper(),
                "first_name": apprentice.first_name,
                "birth_date": apprentice.birth_date.isoformat(),
                "ine": "",
                "email": apprentice.email,
                "phone": apprentice.phone,
                "sex": apprentice.sex,
            },
            "rncp": "RNCP12345",
        },
        raw={
            "nom_apprenant": apprentice.last_name,
            "tel_apprenant": apprentice.phone,
            "formation_rncp": "12345",
        },
        changes=[["apprenti", "téléphone", "", apprentice.phone]],
    )


def test_the_imported_rows_that_read_them_lose_the_identity(world, expired):
    mine = imported_row(world.organisation, expired["apprentice"])
    other = imported_row(world.organisation, world.other.apprentice, line=3)
    other_before = ImportRow.objects.filter(pk=other.pk).values().get()
    assert erase().import_rows == 1
    row = ImportRow.objects.get(pk=mine.pk)
    assert row.label == f"Apprenti anonymisé n° {expired['apprentice'].pk}"
    assert row.values["apprentice"]["last_name"] == "[effacé]" and row.values["apprentice"]["sex"] == "F"
    assert row.values["rncp"] == "RNCP12345" and row.raw["formation_rncp"] == "12345"
    assert row.raw["nom_apprenant"] == "[effacé]" and row.changes == [
        ["apprenti", "téléphone", "", "[effacé]"]
    ]
    assert ImportRow.objects.filter(pk=other.pk).values().get() == other_before


def test_no_copy_of_the_identity_is_left_outside_what_was_signed(world, expired):
    imported_row(world.organisation, expired["apprentice"])
    erase()
    texts = [
        json.dumps(list(model.objects.filter(**lookup).values()), default=str, ensure_ascii=False)
        for model, lookup in (
            (Apprentice, {"pk": expired["apprentice"].pk}),
            (LegalRepresentative, {"apprentice": expired["apprentice"]}),
            (User, {"pk": expired["apprentice"].user_id}),
            (LiaisonSheet, {"contract": world.mine.contract}),
            (VisitReport, {"contract": world.mine.contract}),
            (MissionDescription, {"contract": world.mine.contract}),
            (MissionDecision, {"mission__contract": world.mine.contract}),
            (ActionLink, {}),
            (Reminder, {}),
            (ImportRow, {}),
            (AuditEvent, {}),
        )
    ]
    signers = Signature.objects.values("signer_name", "signer_email")
    texts.append(json.dumps(list(signers), ensure_ascii=False))
    for secret in expired["secrets"]:
        assert not any(secret.casefold() in text.casefold() for text in texts), secret


def test_the_audit_trail_of_the_person_keeps_its_events_without_their_values(world, expired):
    apprentice = expired["apprentice"]
    count = AuditEvent.for_object(apprentice).count()
    erase()
    events = list(AuditEvent.for_object(apprentice))
    assert len(events) == count + 1
    changed = next(e for e in events if e.action == "apprentices.apprentice.changed")
    assert changed.data["changes"]["first_name"] == "[effacé]"
    assert {e.target_repr for e in events} == {f"Apprenti anonymisé n° {apprentice.pk}"}


# What stays the same ------------------------------------------------------------------------------


def figures(staff) -> list:
    """Every quality indicator of every diploma and year, and the dashboard's key figures and alert
    counts for each year, as the CFA's team sees them."""
    rows = []
    diplomas = list(Diploma.objects.values_list("pk", flat=True))
    for year in AcademicYear.objects.order_by("start_date"):
        values = compute_figures(diplomas, year, year_as_of(year, TODAY))
        rows += sorted(
            (year.label, v.diploma_id, v.indicator, v.numerator, v.denominator, v.value) for v in values
        )
        scope = Scope(user=staff, year=year, today=TODAY)
        rows += [(year.label, f.key, f.value, f.detail, f.url) for f in key_figures(scope)]
        rows += [(year.label, kind.key, kind.count) for kind in alerts(scope, stop=0)]
    return rows


def test_every_statistic_and_indicator_is_equal_before_and_after(world, expired):
    ended = Contract.objects.get(pk=world.mine.contract.pk)
    AcademicYearFactory(start_year=ended.start_date.year)  # a year the erased contract counts in
    staff = world.users["staff"]
    before = figures(staff)
    old_year = AcademicYear.objects.get(start_date__year=ended.start_date.year)
    counted = [row for row in before if row[0] == old_year.label and row[1] == "apprentices"]
    assert counted and counted[0][2] == "1", "the erased contract counts in the figures compared"
    assert erase().apprentices == 1
    assert figures(staff) == before


def test_every_signature_is_still_verified_by_its_hash(world, expired):
    signed = Signature.objects.order_by("pk").values_list("pk", "content", "content_sha256", "signed_at")
    before = list(signed)
    # The apprentice submitted a sheet and acknowledged the visit; so did their representative.
    assert erase().signatures == 3
    assert list(signed.all()) == before
    assert all(is_intact(signature) for signature in Signature.objects.all())


# The audit and idempotence ------------------------------------------------------------------------


def test_the_erasure_is_audited_without_personal_data(world, expired):
    staff = world.users["staff"]
    erase(by=staff)
    event = AuditEvent.for_object(expired["apprentice"]).get(action="privacy.apprentice.erased")
    assert event.actor == staff
    assert event.data == {
        "retention_years": 5,
        "contracts": 1,
        "legal_representatives": 1,
        "account": True,
        "signatures": 3,
    }
    assert event.target_repr == f"Apprenti anonymisé n° {expired['apprentice'].pk}"
    assert event.verb == "Anonymisation des données personnelles"


def state() -> list:
    return [
        list(model.objects.order_by("pk").values())
        for model in (
            Apprentice,
            LegalRepresentative,
            User,
            Signature,
            ActionLink,
            Reminder,
            AuditEvent,
            LiaisonSheet,
            MissionDescription,
            MissionDecision,
            VisitReport,
            Erasure,
        )
    ]


def test_a_second_run_changes_nothing(world, expired):
    first = erase()
    assert first.apprentices == 1
    after_first = state()
    second = erase()
    assert second == services.ErasureResult()
    assert state() == after_first


def test_a_dry_run_counts_and_changes_nothing(world, expired):
    before = state()
    assert erase(dry_run=True) == services.ErasureResult(apprentices=1, legal_representatives=1, accounts=1)
    assert state() == before


def test_an_organisation_erases_only_its_own_apprentices(world, expired):
    end_contract(world.foreign.contract, outside_window(TODAY))
    assert erase(organisation=world.organisation.pk).apprentices == 1
    assert reload(world.foreign.apprentice).last_name == world.foreign.apprentice.last_name
    assert erase().apprentices == 1
