import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from apprentices.forms import ContractForm
from apprentices.models import Apprentice, Contract
from tests.apprentices.factories import ApprenticeFactory, ContractFactory, years_ago
from tests.helpers import model_form_data

pytestmark = pytest.mark.django_db


def test_factories_build_objects_that_pass_model_validation():
    contract = ContractFactory()
    contract.apprentice.full_clean()
    contract.employer.full_clean()
    contract.full_clean()
    ContractFactory(ruptured=True).full_clean()
    ContractFactory(completed=True).full_clean()


def test_apprentice_of_twenty_is_not_minor():
    assert ApprenticeFactory().is_minor is False


def test_apprentice_built_with_the_minor_trait_is_minor():
    assert ApprenticeFactory(minor=True).is_minor is True


def test_apprentice_is_minor_until_the_day_of_their_eighteenth_birthday():
    apprentice = ApprenticeFactory(birth_date=years_ago(18, days=-1))
    assert apprentice.is_minor is True
    apprentice.birth_date = years_ago(18)
    assert apprentice.is_minor is False


def test_minority_is_derived_from_the_birth_date_and_never_stored():
    field_names = {f.name for f in Apprentice._meta.get_fields()}
    assert "is_minor" not in field_names
    apprentice = ApprenticeFactory(minor=True)
    Apprentice.objects.filter(pk=apprentice.pk).update(birth_date=years_ago(30))
    apprentice.refresh_from_db()
    assert apprentice.is_minor is False


def test_rqth_trait_marks_the_apprentice():
    assert ApprenticeFactory(rqth=True).rqth is True


def test_database_refuses_a_rupture_date_without_the_ruptured_status():
    contract = ContractFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(rupture_date=timezone.localdate())


def test_database_refuses_the_ruptured_status_without_a_rupture_date():
    contract = ContractFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.RUPTURED)


def test_database_refuses_a_contract_ending_before_it_starts():
    contract = ContractFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(
            planned_end_date=contract.start_date - datetime.timedelta(days=1)
        )


def test_database_refuses_a_rupture_before_the_start():
    contract = ContractFactory(ruptured=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(
            rupture_date=contract.start_date - datetime.timedelta(days=1)
        )


def test_contract_form_refuses_a_rupture_date_without_the_ruptured_status_in_french(world):
    contract = world.mine.contract
    data = model_form_data(
        ContractForm, contract, user=world.users["staff"], rupture_date=timezone.localdate().isoformat()
    )
    form = ContractForm(data, instance=contract, user=world.users["staff"])

    assert not form.is_valid()
    assert form.errors["rupture_date"] == [
        "Seul un contrat rompu a une date de rupture : choisissez le statut « Rompu »."
    ]
    contract.refresh_from_db()
    assert contract.rupture_date is None


def test_contract_form_asks_for_the_date_and_cause_of_a_rupture(world):
    contract = world.mine.contract
    data = model_form_data(ContractForm, contract, user=world.users["staff"], status=Contract.Status.RUPTURED)
    form = ContractForm(data, instance=contract, user=world.users["staff"])

    assert not form.is_valid()
    assert form.errors["rupture_date"] == ["Indiquez la date de rupture du contrat."]
    assert form.errors["rupture_cause"] == ["Indiquez la cause de la rupture."]
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


def test_contract_form_refuses_a_company_tutor_of_another_employer(world):
    contract = world.mine.contract
    staff = world.users["staff"]
    data = model_form_data(ContractForm, contract, user=staff, company_tutor=world.other.company_tutor.pk)
    form = ContractForm(data, instance=contract, user=staff)

    assert not form.is_valid()
    assert form.errors["company_tutor"] == ["Ce maître d'apprentissage ne travaille pas chez cet employeur."]


def test_contract_form_offers_only_the_organisations_objects(world):
    form = ContractForm(user=world.users["staff"])

    assert set(form.fields["apprentice"].queryset) == {world.mine.apprentice, world.other.apprentice}
    assert world.foreign.employer not in form.fields["employer"].queryset
    assert world.foreign.diploma not in form.fields["diploma"].queryset


def test_contract_end_date_is_the_rupture_date_when_ruptured():
    contract = ContractFactory(ruptured=True)
    assert contract.end_date == contract.rupture_date
    assert not contract.is_active_on(contract.rupture_date + datetime.timedelta(days=1))


def test_contract_active_on_excludes_ruptured_and_future_contracts():
    today = timezone.localdate()
    active = ContractFactory()
    ContractFactory(ruptured=True)
    ContractFactory(start_date=today + datetime.timedelta(days=10))

    assert list(Contract.objects.active_on(today)) == [active]
