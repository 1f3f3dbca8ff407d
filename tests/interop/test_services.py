import datetime

import pytest

from apprentices.models import Apprentice, Contract
from core.models import AuditEvent
from core.signals import records_written
from core.workflow import Refusal
from employers.models import Employer
from interop.models import ImportReport, ImportRow
from interop.readers import FileRefused
from interop.services import planning, writing
from tests.apprentices.factories import ApprenticeFactory, ContractFactory, DiplomaFactory
from tests.employers.factories import EmployerFactory, valid_siret
from tests.interop.factories import csv_bytes, ine, row, xlsx_bytes
from tests.tutors.factories import CompanyTutorFactory

TODAY = datetime.date(2026, 1, 15)


def preview(organisation, staff, data, name="effectifs.csv"):
    return planning.preview_import(
        organisation=organisation, data=data, file_name=name, by=staff, today=TODAY
    )


def run(organisation, staff, data, name="effectifs.csv"):
    report = preview(organisation, staff, data, name)
    return writing.confirm_import(report=report, by=staff)


def rows_of(report):
    return {r.line: r for r in report.rows.all()}


def snapshot():
    return (
        sorted(Apprentice.objects.values_list("pk", "last_name", "email", "postal_code", "ine")),
        sorted(Contract.objects.values_list("pk", "status", "planned_end_date", "rupture_date")),
        sorted(Employer.objects.values_list("pk", "siret", "legal_name")),
    )


# Preview --------------------------------------------------------------------------------------


def test_preview_writes_no_apprentice_contract_or_employer(organisation, staff, diploma):
    report = preview(organisation, staff, csv_bytes([row(1), row(2)]))
    assert report.status == ImportReport.Status.PREVIEW
    assert (report.rows_total, report.rows_create) == (2, 2)
    assert not Apprentice.objects.exists() and not Contract.objects.exists() and not Employer.objects.exists()


def test_valid_rows_in_both_date_and_boolean_styles_are_created(organisation, staff, diploma):
    rows = [
        row(1, date_de_naissance_apprenant="2004-03-15", rqth_apprenant="VRAI", sexe_apprenant="1"),
        row(
            2,
            date_de_naissance_apprenant="15/03/2004",
            rqth_apprenant="OUI",
            sexe_apprenant="2",
            contrat_date_debut="01/09/2025",
            contrat_date_fin="31/08/2027",
        ),
        row(3, rqth_apprenant="1", sexe_apprenant="H", formation_rncp="35123"),
        row(4, rqth_apprenant="NON", sexe_apprenant="M"),
    ]
    report = run(organisation, staff, xlsx_bytes(rows), "effectifs.xlsx")
    assert report.status == ImportReport.Status.DONE
    assert report.rows_create == 4 and report.rows_rejected == 0
    first, second = Apprentice.objects.get(ine=ine(1)), Apprentice.objects.get(ine=ine(2))
    assert first.birth_date == second.birth_date == datetime.date(2004, 3, 15)
    assert (first.rqth, first.sex, second.rqth, second.sex) == (True, "M", True, "F")
    assert Apprentice.objects.get(ine=ine(4)).rqth is False
    contract = Contract.objects.get(apprentice=second)
    assert (contract.start_date, contract.planned_end_date) == (
        datetime.date(2025, 9, 1),
        datetime.date(2027, 8, 31),
    )
    assert contract.diploma == diploma and contract.status == Contract.Status.ACTIVE


def test_an_import_says_what_it_wrote_without_save(organisation, staff, diploma):
    """Its ``bulk_create`` sends no ``post_save``: what keeps a copy (the dashboards) is told."""
    sent = []

    def receive(sender, *, models, **kwargs):
        sent.append(models)

    records_written.connect(receive)
    try:
        report = run(organisation, staff, xlsx_bytes([row(1)]), "effectifs.xlsx")
    finally:
        records_written.disconnect(receive)
    assert report.status == ImportReport.Status.DONE
    assert sent == [(Employer, Apprentice, Contract)]


def test_an_unknown_employer_is_created_from_its_siret_and_flagged_to_complete(organisation, staff, diploma):
    run(organisation, staff, csv_bytes([row(1)]))
    employer = Employer.objects.get(siret=valid_siret(1))
    assert employer.to_complete and employer.organisation == organisation
    assert Contract.objects.get().company_tutor is None


def test_two_rows_naming_the_same_new_employer_create_it_once(organisation, staff, diploma):
    run(organisation, staff, csv_bytes([row(1), row(2, siret_employeur=valid_siret(1))]))
    assert Employer.objects.filter(siret=valid_siret(1)).count() == 1
    assert Contract.objects.filter(employer__siret=valid_siret(1)).count() == 2


@pytest.mark.parametrize(
    ("overrides", "column", "words"),
    [
        ({"siret_employeur": "12345678901234"}, "siret_employeur", "Luhn"),
        ({"ine_apprenant": "12345"}, "ine_apprenant", "11 caractères"),
        ({"code_postal_apprenant": "750"}, "code_postal_apprenant", "5 chiffres"),
        ({"contrat_date_debut": "2025-13-01"}, "contrat_date_debut", "date valide"),
        ({"date_de_naissance_apprenant": "hier"}, "date_de_naissance_apprenant", "date valide"),
        ({"formation_rncp": "RNCP12", "formation_cfd": ""}, "formation_rncp", "RNCP"),
        ({"formation_rncp": "RNCP99999", "formation_cfd": ""}, "formation_rncp", "RNCP99999"),
        ({"rqth_apprenant": "peut-être"}, "rqth_apprenant", "booléen"),
        ({"sexe_apprenant": "X"}, "sexe_apprenant", "sexe"),
        ({"email_contact": "pas-une-adresse"}, "email_contact", "adresse"),
        ({"contrat_date_fin": "2025-08-01"}, "contrat_date_fin", "suivre la date de début"),
        ({"contrat_date_rupture": "2025-08-01"}, "contrat_date_rupture", "précéder"),
        ({"nom_apprenant": ""}, "nom_apprenant", "Obligatoire"),
    ],
)
def test_an_invalid_row_is_rejected_alone_with_the_reason_of_its_column(
    organisation, staff, diploma, overrides, column, words
):
    report = run(organisation, staff, csv_bytes([row(1), row(2, **overrides), row(3)]))
    rejected = rows_of(report)[3]
    assert rejected.action == ImportRow.Action.REJECTED
    assert any(c == column and words in message for c, message in rejected.errors), rejected.errors
    assert report.rows_create == 2 and report.rows_rejected == 1
    assert set(Apprentice.objects.values_list("ine", flat=True)) == {ine(1), ine(3)}


def test_an_unknown_diploma_is_rejected_with_the_code_it_gave(organisation, staff, diploma):
    report = preview(organisation, staff, csv_bytes([row(1, formation_rncp="RNCP99999", formation_cfd="")]))
    assert rows_of(report)[2].errors == [
        ["formation_rncp", "Aucune formation de l'organisme ne porte le code RNCP99999."]
    ]


def test_a_duplicate_row_is_reported_and_not_imported_twice(organisation, staff, diploma):
    report = run(organisation, staff, csv_bytes([row(1), row(1)]))
    assert rows_of(report)[3].action == ImportRow.Action.UNCHANGED
    assert rows_of(report)[3].values["notes"] == [
        "Même apprenti qu'à la ligne 2 : les deux lignes sont réunies."
    ]
    assert Apprentice.objects.count() == 1 and Contract.objects.count() == 1


def test_a_second_import_of_the_same_file_changes_nothing(organisation, staff, diploma):
    data = csv_bytes([row(n, contrat_date_rupture="2025-12-01" if n == 2 else "") for n in range(1, 6)])
    run(organisation, staff, data)
    before, events = snapshot(), AuditEvent.objects.count()
    second = run(organisation, staff, data)
    assert second.rows_unchanged == 5 and second.rows_create == second.rows_update == 0
    assert snapshot() == before
    # Only the report's own events: created, then validated.
    assert AuditEvent.objects.count() == events + 2


def test_an_updated_file_changes_exactly_the_changed_fields(organisation, staff, diploma):
    run(organisation, staff, csv_bytes([row(1), row(2)]))
    apprentice = Apprentice.objects.get(ine=ine(1))
    untouched = Apprentice.objects.get(ine=ine(2))
    report = run(
        organisation,
        staff,
        csv_bytes(
            [
                row(
                    1,
                    code_postal_apprenant="69001",
                    contrat_date_rupture="2025-11-30",
                    cause_rupture_contrat="Rupture d'un commun accord",
                ),
                row(2),
            ]
        ),
    )
    line = rows_of(report)[2]
    assert line.action == ImportRow.Action.UPDATE
    assert ["Apprenti", "code postal", "75005", "69001"] in line.changes
    assert ["Contrat", "date de rupture", "", "30/11/2025"] in line.changes
    assert rows_of(report)[3].action == ImportRow.Action.UNCHANGED
    apprentice.refresh_from_db()
    assert apprentice.postal_code == "69001"
    contract = Contract.objects.get(apprentice=apprentice)
    assert (contract.status, contract.rupture_date, contract.rupture_cause) == (
        Contract.Status.RUPTURED,
        datetime.date(2025, 11, 30),
        Contract.RuptureCause.MUTUAL,
    )
    event = AuditEvent.objects.get(action="apprentices.apprentice.changed", target_id=apprentice.pk)
    assert event.data["changes"] == {"postal_code": ["75005", "69001"]}
    assert event.actor == staff and event.data["via"] == "import"
    assert not AuditEvent.objects.filter(
        action="apprentices.apprentice.changed", target_id=untouched.pk
    ).exists()


def test_the_apprentice_is_matched_by_name_and_birth_date_without_an_ine(organisation, staff, diploma):
    existing = ApprenticeFactory(
        organisation=organisation,
        last_name="Martin",
        first_name="Léa",
        birth_date=datetime.date(2004, 3, 15),
        ine="",
        cohort=None,
    )
    report = run(organisation, staff, csv_bytes([row(1, nom_apprenant="MARTIN", prenom_apprenant="léa")]))
    assert report.rows_update == 1 and Apprentice.objects.count() == 1, list(
        report.rows.values("action", "errors")
    )
    existing.refresh_from_db()
    assert existing.ine == ine(1) and existing.last_name == "Martin"


def test_the_contract_is_matched_by_apprentice_employer_and_start_date(organisation, staff, diploma):
    employer = EmployerFactory(organisation=organisation, siret=valid_siret(1))
    apprentice = ApprenticeFactory(
        organisation=organisation, ine=ine(1), email="apprenti1@exemple.test", cohort=None
    )
    tutor = CompanyTutorFactory(employer=employer)
    contract = ContractFactory(
        apprentice=apprentice,
        employer=employer,
        company_tutor=tutor,
        diploma=diploma,
        start_date=datetime.date(2025, 9, 1),
        planned_end_date=datetime.date(2027, 8, 31),
    )
    run(
        organisation,
        staff,
        csv_bytes(
            [row(1, obtention_diplome_formation="VRAI", date_obtention_diplome_formation="2027-07-05")]
        ),
    )
    assert Contract.objects.count() == 1
    contract.refresh_from_db()
    assert (contract.diploma_outcome, contract.diploma_outcome_date) == ("yes", datetime.date(2027, 7, 5))
    assert contract.company_tutor == tutor


def test_up_to_four_contracts_per_row_are_imported(organisation, staff, diploma):
    extra = {}
    for slot, n in (("_2", 2), ("_3", 3), ("_4", 4)):
        extra.update(
            {
                f"contrat_date_debut{slot}": f"2025-1{n - 2}-01",
                f"contrat_date_fin{slot}": "2027-08-31",
                f"siret_employeur{slot}": valid_siret(10 + n),
            }
        )
    run(organisation, staff, csv_bytes([row(1, contrat_date_rupture="2025-09-30", **extra)]))
    assert Contract.objects.count() == 4


def test_extra_columns_are_ignored_and_listed(organisation, staff, diploma):
    report = preview(organisation, staff, csv_bytes([row(1, commentaire="à voir", **{"Code ERP": "X"})]))
    assert report.ignored_columns == ["commentaire", "Code ERP"]


def test_an_ine_held_in_another_organisation_is_rejected(organisation, staff, diploma):
    ApprenticeFactory(ine=ine(1))
    report = preview(organisation, staff, csv_bytes([row(1)]))
    assert rows_of(report)[2].errors[0][0] == "ine_apprenant"


def test_a_preview_cannot_be_applied_twice(organisation, staff, diploma):
    report = preview(organisation, staff, csv_bytes([row(1)]))
    writing.confirm_import(report=report, by=staff)
    with pytest.raises(Refusal):
        writing.confirm_import(report=report, by=staff)
    assert Apprentice.objects.count() == 1


def test_rows_are_planned_again_at_import_so_a_stale_preview_writes_nothing_twice(
    organisation, staff, diploma
):
    first = preview(organisation, staff, csv_bytes([row(1)]))
    second = preview(organisation, staff, csv_bytes([row(1)], delimiter=","))
    writing.confirm_import(report=first, by=staff)
    report = writing.confirm_import(report=second, by=staff)
    assert report.rows_unchanged == 1
    assert Apprentice.objects.count() == 1 and Employer.objects.count() == 1


# Malformed files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "vide"),
        (csv_bytes([row(1)], encoding="utf-16"), "UTF-16"),
        (b"nom_apprenant;prenom\n\x00\x00\x00", "binaires"),
        (
            csv_bytes([row(1)], headers=["nom_apprenant", "prenom_apprenant", "formation_rncp"]),
            "date_de_naissance_apprenant",
        ),
    ],
)
def test_a_malformed_file_is_refused_and_leaves_the_database_unchanged(
    organisation, staff, diploma, data, words
):
    before = snapshot()
    with pytest.raises(FileRefused, match=words):
        preview(organisation, staff, data)
    assert snapshot() == before and not ImportReport.objects.exists()


def test_a_file_over_the_limit_leaves_the_database_unchanged(organisation, staff, diploma, settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(FileRefused, match="limite"):
        preview(organisation, staff, csv_bytes([row(n) for n in range(20)]))
    assert not ImportReport.objects.exists() and not Apprentice.objects.exists()


def test_a_failure_while_writing_leaves_nothing_half_written(organisation, staff, diploma, monkeypatch):
    report = preview(organisation, staff, csv_bytes([row(1), row(2)]))

    def broken(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(Contract.objects, "bulk_create", broken)
    report = writing.confirm_import(report=report, by=staff)
    assert report.status == ImportReport.Status.FAILED and "rien n'a été écrit" in report.error
    assert not Apprentice.objects.exists() and not Employer.objects.exists()


def test_ten_thousand_rows_are_previewed_and_imported(
    organisation, staff, diploma, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    data = csv_bytes([row(n) for n in range(1, 10_001)])
    # A few loads up front, then bulk inserts of the rows: SQLite caps a statement at 999 parameters,
    # about a hundred rows; the count grows with batches of rows, never with each row.
    with django_assert_max_num_queries(120):
        report = preview(organisation, staff, data)
    assert report.rows_create == 10_000
    # Above INLINE_ROWS the import is queued on commit (and runs inline here, without a broker).
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = writing.confirm_import(report=report, by=staff)
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == ImportReport.Status.DONE
    assert Apprentice.objects.count() == Contract.objects.count() == Employer.objects.count() == 10_000
    again = preview(organisation, staff, data)
    assert again.rows_unchanged == 10_000


def test_other_diplomas_sharing_the_rncp_are_told_apart_by_the_cfd(organisation, staff, diploma):
    other = DiplomaFactory(organisation=organisation, rncp_code="RNCP35123", cfd_code="25020002")
    run(organisation, staff, csv_bytes([row(1, formation_cfd="25020002")]))
    assert Contract.objects.get().diploma == other


def test_a_rejected_row_tells_every_faulty_column_at_once(organisation, staff, diploma):
    data = csv_bytes([row(1, code_postal_apprenant="750", formation_rncp="RNCP99999", formation_cfd="")])
    line = rows_of(preview(organisation, staff, data))[2]
    assert [column for column, _message in line.errors] == ["code_postal_apprenant", "formation_rncp"]
    assert line.changes == []


def test_an_exclusion_and_a_failed_diploma_in_the_file_update_the_last_contract(organisation, staff, diploma):
    run(organisation, staff, csv_bytes([row(1)]))
    run(
        organisation,
        staff,
        csv_bytes([row(1, date_exclusion_formation="2026-01-10", obtention_diplome_formation="NON")]),
    )
    contract = Contract.objects.get()
    assert (contract.status, contract.rupture_date, contract.rupture_cause, contract.diploma_outcome) == (
        Contract.Status.ABANDONED,
        datetime.date(2026, 1, 10),
        Contract.RuptureCause.EXCLUSION,
        Contract.Outcome.FAILED,
    )


def test_a_postal_code_a_spreadsheet_kept_as_a_number_gets_its_leading_zero_back(
    organisation, staff, diploma
):
    run(organisation, staff, xlsx_bytes([{**row(1), "code_postal_apprenant": 1000}]), "effectifs.xlsx")
    assert Apprentice.objects.get().postal_code == "01000"
