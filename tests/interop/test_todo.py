from django.urls import reverse

from apprentices.models import Contract
from employers.forms import EmployerForm
from employers.models import Employer
from interop.services import planning, writing
from livret.waiting import todo_for
from tests.helpers import model_form_data
from tests.interop.factories import csv_bytes, row


def imported(organisation, staff):
    report = planning.preview_import(
        organisation=organisation, data=csv_bytes([row(1)]), file_name="e.csv", by=staff
    )
    writing.confirm_import(report=report, by=staff)


def test_staff_are_told_to_complete_an_employer_created_from_its_siret(organisation, diploma, staff):
    imported(organisation, staff)
    employer = Employer.objects.get()
    (item,) = [i for i in todo_for(staff) if i["key"] == "employer.complete"]
    assert item["url"] == reverse("employers:employer_update", args=[employer.pk])
    assert item["apprentice"] is None


def test_staff_are_told_to_name_the_company_tutor_of_an_imported_contract(organisation, diploma, staff):
    imported(organisation, staff)
    contract = Contract.objects.get()
    (item,) = [i for i in todo_for(staff) if i["key"] == "contract.company_tutor"]
    assert item["url"] == reverse("apprentices:contract_update", args=[contract.pk])
    assert item["apprentice"] == contract.apprentice


def test_saving_the_employer_form_takes_it_off_the_list(organisation, diploma, staff):
    imported(organisation, staff)
    employer = Employer.objects.get()
    data = model_form_data(EmployerForm, employer, user=staff, legal_name="Boulangerie Martin")
    form = EmployerForm(data, instance=employer, user=staff)
    assert form.is_valid(), form.errors
    form.save()
    assert not Employer.objects.get().to_complete
    assert "employer.complete" not in {i["key"] for i in todo_for(staff)}
