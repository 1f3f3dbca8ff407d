import pytest
from django.urls import reverse

from apprentices.models import Competence, CompetenceBlock
from tests.apprentices.factories import CalendarFactory, DiplomaOptionFactory
from tests.conftest import ORGANISATION_WIDE, ROLES, grow
from tests.core.factories import AcademicYearFactory, UserFactory
from tests.helpers import text_of

NOT_FOUND_QUERIES = 4
# session, user, roles, the diplomas
LIST_QUERIES = 4
# session, user, roles, the diploma, its heads, options, blocks and competences, the years of its
# calendars, the current year, the calendars and their periods, the active contracts, and the surveys'
# section (insertion answers per year, the national InserJeunes rates)
DETAIL_QUERIES = 15


def enrich(diploma, n):
    """``n`` more heads, options, competence blocks (with competences) and years of calendars."""
    for i in range(n):
        diploma.heads.add(UserFactory(organisation=diploma.organisation))
        DiplomaOptionFactory(diploma=diploma)
        block = CompetenceBlock.objects.create(diploma=diploma, code=f"B{i}", title=f"Bloc {i}", order=i)
        for j in range(3):
            Competence.objects.create(block=block, code=f"C{i}.{j}", title=f"Compétence {j}", order=j)
        CalendarFactory(diploma=diploma, academic_year=AcademicYearFactory(start_year=2000 + i), periods=4)
    CalendarFactory(diploma=diploma, academic_year=AcademicYearFactory(), year_of_study=2, periods=n)


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_diploma_list_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    grow(world, role, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("apprentices:diploma_list"))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_diploma_list_shows_the_diplomas_each_role_reaches(client, world, role):
    client.force_login(world.users[role])

    response = client.get(reverse("apprentices:diploma_list"))

    expected = (
        {world.mine.diploma, world.other.diploma} if role in ORGANISATION_WIDE else {world.mine.diploma}
    )
    assert set(response.context["diplomas"]) == expected
    assert world.foreign.diploma.title not in text_of(response)


@pytest.mark.parametrize("extra", [1, 5])
@pytest.mark.parametrize("role", ROLES)
def test_diploma_detail_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, role, extra):
    enrich(world.mine.diploma, extra)
    client.force_login(world.users[role])

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("apprentices:diploma_detail", args=[world.mine.diploma.pk]))

    assert response.status_code == 200
    assert len(response.context["calendars"]) == 2


@pytest.mark.parametrize("role", ROLES)
def test_diploma_detail_of_someone_else_is_not_found(client, world, django_assert_num_queries, role):
    client.force_login(world.users[role])
    others = [world.foreign.diploma] + ([] if role in ORGANISATION_WIDE else [world.other.diploma])

    for diploma in others:
        with django_assert_num_queries(NOT_FOUND_QUERIES):
            response = client.get(reverse("apprentices:diploma_detail", args=[diploma.pk]))
        assert response.status_code == 404


def test_diploma_detail_shows_the_current_years_calendar_with_its_weeks(client, world):
    client.force_login(world.users["head_of_diploma"])

    response = client.get(reverse("apprentices:diploma_detail", args=[world.mine.diploma.pk]))

    assert response.context["selected_year"] == world.academic_year.label
    [row] = response.context["calendars"]
    assert row["school_weeks"] > 0 and row["company_weeks"] > 0
    assert response.context["active_contracts"] == 1


def test_diploma_detail_shows_another_year_when_asked(client, world):
    CalendarFactory(diploma=world.mine.diploma, academic_year=AcademicYearFactory(start_year=2019), periods=2)
    client.force_login(world.users["staff"])

    response = client.get(
        reverse("apprentices:diploma_detail", args=[world.mine.diploma.pk]), {"annee": "2019-2020"}
    )

    assert response.context["selected_year"] == "2019-2020"
    assert len(response.context["calendars"][0]["periods"]) == 2


def test_diploma_detail_ignores_an_unknown_year(client, world):
    client.force_login(world.users["staff"])

    response = client.get(
        reverse("apprentices:diploma_detail", args=[world.mine.diploma.pk]), {"annee": "1900-1901"}
    )

    assert response.status_code == 200
    assert response.context["selected_year"] == world.academic_year.label
