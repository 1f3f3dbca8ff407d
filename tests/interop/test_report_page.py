"""The import's report page: the headers the preview recognised and where each goes, those it ignored;
after an import, what changed since the previous one."""

from django.urls import reverse

from interop.services import planning, writing
from tests.interop.factories import csv_bytes, row


def preview(organisation, staff, rows, headers=None, name="effectifs.csv"):
    return planning.preview_import(
        organisation=organisation, data=csv_bytes(rows, headers=headers), file_name=name, by=staff
    )


def test_the_preview_shows_the_headers_it_recognised_and_those_it_ignored(
    client, organisation, diploma, staff, django_assert_num_queries
):
    cells = row(1)
    headers = ["Nom_Apprenant *", *[h for h in cells if h != "nom_apprenant"]]
    cells["Nom_Apprenant *"] = "Durand"
    headers = [*headers, "contrat_date_debut_2 **", "Commentaire"]
    report = preview(organisation, staff, [cells], headers=headers)
    assert report.recognised_columns[0] == ["Nom_Apprenant *", "nom_apprenant"]
    assert report.ignored_columns == ["Commentaire"]
    client.force_login(staff)
    # session, user, roles, report, count and page of rows
    with django_assert_num_queries(6):
        body = client.get(report.get_absolute_url()).content.decode()
    assert f"{len(headers) - 1} colonnes reconnues" in body
    assert (
        '<th scope="row">Nom_Apprenant *</th><td><code>nom_apprenant</code></td><td>Apprenti — nom</td>'
        in body
    )
    assert "<code>contrat_date_debut_2</code></td><td>Contrat 2 — date de début</td>" in body
    assert "Colonnes ignorées (hors du modèle) : Commentaire" in body


def test_after_an_import_the_report_says_what_changed_since_the_previous_one(
    client, organisation, diploma, staff, django_assert_num_queries
):
    first = writing.confirm_import(
        report=preview(organisation, staff, [row(1), row(2)], name="a.csv"), by=staff
    )
    second = writing.confirm_import(
        report=preview(
            organisation,
            staff,
            [row(1, tel_apprenant="0699887766", adresse_apprenant="9 rue Neuve"), row(2), row(3)],
            name="b.csv",
        ),
        by=staff,
    )
    counts = second.counts
    apprentices = [counts[f"apprentices_{k}"] for k in ("created", "updated", "unchanged")]
    contracts = [counts[f"contracts_{k}"] for k in ("created", "updated", "unchanged")]
    assert apprentices == [1, 1, 1] and contracts == [1, 0, 2]
    assert sorted(counts["fields_changed"]) == [["Apprenti", "adresse", 1], ["Apprenti", "téléphone", 1]]

    client.force_login(staff)
    # session, user, roles, report, count and page of rows, the previous import
    with django_assert_num_queries(7):
        body = client.get(second.get_absolute_url()).content.decode()
    assert "Depuis l'import précédent" in body and reverse("interop:report_detail", args=[first.pk]) in body
    assert "Apprentis : 1 créés, 1 mis à jour, 1 inchangés" in body
    assert '<th scope="row">Apprenti</th><td>téléphone</td><td class="num">1</td>' in body
    assert "Premier import de l'organisme" in client.get(first.get_absolute_url()).content.decode()
