"""Every form of the project, fed hostile input by Hypothesis: validation raises nothing but answers
valid or not, and validating writes nothing (a refused form saves nothing).

The forms are found by ``tests.properties_support.project_forms``; those whose constructor needs
arguments say how to build them in ``FORM_ARGUMENTS``.
"""

from __future__ import annotations

import pytest
from django.utils.datastructures import MultiValueDict
from hypothesis import given

from apprentices.models import Diploma
from livret.models import Rating
from quality.models import Meeting, Perimeter
from tests.access_matrix_support import writes_so_far
from tests.livret.factories import competence_framework, free_company_period
from tests.properties_support import form_data, project_forms
from tests.surveys.factories import own_copy

FORMS = project_forms()


def _staff(world):
    return world.users["staff"]


# Dotted name -> the keyword arguments of its constructor, from the ``world`` fixture.
FORM_ARGUMENTS = {
    "apprentices.forms.ApprenticeForm": lambda world: {"user": _staff(world)},
    "apprentices.forms.ContractForm": lambda world: {"user": _staff(world)},
    "core.forms.InvitationForm": lambda world: {"inviter": _staff(world)},
    "core.forms.AcceptInvitationForm": lambda world: {"user": world.users["apprentice"]},
    "employers.forms.EmployerForm": lambda world: {"user": _staff(world)},
    "quality.forms.MilestoneForm": lambda world: {"perimeters": Perimeter.objects.all()},
    "quality.forms.EvidenceForm": lambda world: {
        "diplomas": Diploma.objects.filter(organisation=world.organisation),
        "establishment_wide": True,
    },
    "quality.forms.MeetingForm": lambda world: {
        "diplomas": Diploma.objects.filter(organisation=world.organisation)
    },
    "quality.forms.MeetingFilter": lambda world: {
        "diplomas": Diploma.objects.filter(organisation=world.organisation),
        "queryset": Meeting.objects.all(),
    },
    "reports.forms.DashboardFilterForm": lambda world: {"user": _staff(world)},
    "livret.forms.evaluations.EvaluationForm": lambda world: {
        "competences": competence_framework(world.mine.diploma, blocks=1, per_block=2),
        "rater": Rating.Rater.TUTOR,
        "require_all": True,
    },
    "livret.forms.evaluations.OpenEvaluationForm": lambda world: {
        "periods": [free_company_period(world.mine.contract)]
    },
    "livret.forms.visits.LogForm": lambda world: {"minor": True},
    "surveys.forms.CampaignForm": lambda world: {"user": _staff(world)},
    "surveys.forms.AnswerForm": lambda world: {
        "questions": own_copy(world.organisation, "insertion_6").questions.all()
    },
}


def build(path: str, kwargs: dict, data=None):
    """The form of ``path`` (a FilterSet's form), bound to ``data`` when given."""
    cls = FORMS[path]
    kwargs = dict(kwargs)
    if path.endswith("Filter"):
        return cls(data, **kwargs).form
    if path == "core.forms.AcceptInvitationForm":
        return cls(kwargs.pop("user"), data)
    if path == "reports.forms.DashboardFilterForm":
        return cls(data, **kwargs)
    return cls(data, MultiValueDict(), **kwargs)


def test_the_project_forms_are_found():
    assert len(FORMS) >= 30
    assert {"apprentices.forms.ApprenticeForm", "livret.forms.sheets.ApprenticePartForm"} <= set(FORMS)


@pytest.mark.parametrize("path", sorted(FORMS))
def test_a_form_answers_any_input_with_validation_only_and_writes_nothing(world, path):
    kwargs = FORM_ARGUMENTS.get(path, lambda _world: {})(world)
    # One shape of data per form: its unbound fields (a form that cannot be built fails here).
    fields_form = build(path, kwargs)

    @given(data=form_data(fields_form))
    def check(data):
        posted = MultiValueDict(
            {key: value if isinstance(value, list) else [value] for key, value in data.items()}
        )
        before = writes_so_far()
        form = build(path, kwargs, posted)
        valid = form.is_valid()  # anything but an answer (an exception) fails the test
        assert isinstance(valid, bool)
        if not valid:
            assert form.errors
        assert writes_so_far() == before

    check()
