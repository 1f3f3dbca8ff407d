"""Hypothesis strategies for hostile input, and the project's forms found by their modules.

``project_forms()`` imports every ``forms`` module of the apps and lists the form classes defined
there (FilterSets through their form), so a new form is fuzzed without anyone remembering; a form
whose constructor needs arguments must say how to build it in ``FORM_ARGUMENTS`` of
``tests/test_form_properties.py``, or that test fails with its name.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil

import django_filters
from django import forms
from hypothesis import strategies as st

FORM_PACKAGES = (
    "core",
    "apprentices",
    "employers",
    "tutors",
    "livret",
    "interop",
    "quality",
    "reports",
    "portal",
    "surveys",
)

# The markup, the header injection, the NUL byte and the long string a hostile user tries first.
NASTY = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<b>gras</b> & 'apostrophe' \"guillemets\"",
    "Jean\r\nBcc: victime@exemple.test",
    "abc\x00def",
    "\x07\x1b[31m\x7f",
    "=1+1",
    "‮évil‬",
    "😀 Zoë Ærøskøbing ß ﬁ",
    "a" * 5000,
    " ",
    "",
    "2024-13-45",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
]
# Markup that must come out escaped wherever it is shown.
MARKUP = "<b>gras</b><script>alert(1)</script>"

ANY_CHARACTER = st.characters(codec="utf-8")


def hostile_text(alphabet=ANY_CHARACTER) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(alphabet, max_size=60),
        st.text(alphabet, min_size=200, max_size=1200),
        st.builds(
            lambda a, b: f"{a}{MARKUP}{b}", st.text(alphabet, max_size=10), st.text(alphabet, max_size=10)
        ),
    )


def value_for(field: forms.Field, alphabet=ANY_CHARACTER) -> st.SearchStrategy:
    """A strategy for what a browser (or an attacker) may post to ``field``."""
    junk = hostile_text(alphabet)
    if isinstance(field, forms.FileField):
        return st.none()
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.sampled_from(["on", "", "false", "0", "1"]), junk)
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.lists(st.one_of(_choices(field), junk), max_size=4)
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return st.one_of(_choices(field), junk)
    if isinstance(field, forms.DateField | forms.DateTimeField):
        dates = st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)).map(datetime.date.isoformat)
        return st.one_of(dates, junk)
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return st.one_of(st.integers(-(10**12), 10**12).map(str), st.floats().map(str), junk)
    return junk


def _choices(field) -> st.SearchStrategy:
    values = [str(value) for value, _label in getattr(field, "choices", []) if value not in ("", None)]
    return st.sampled_from(values) if values else st.just("")


def form_data(form: forms.BaseForm, alphabet=ANY_CHARACTER) -> st.SearchStrategy[dict]:
    """Posted data for every field of ``form`` (lists for the multiple ones, as a QueryDict gives)."""
    return st.fixed_dictionaries(
        {form.add_prefix(name): value_for(field, alphabet) for name, field in form.fields.items()}
    )


def project_forms() -> dict[str, type]:
    """Dotted name -> form class, for every form class defined in the apps' ``forms`` modules."""
    found = {}
    for package in FORM_PACKAGES:
        try:
            module = importlib.import_module(f"{package}.forms")
        except ModuleNotFoundError:
            continue
        modules = [module]
        if hasattr(module, "__path__"):
            modules += [
                importlib.import_module(f"{module.__name__}.{info.name}")
                for info in pkgutil.iter_modules(module.__path__)
            ]
        for mod in modules:
            for name, value in vars(mod).items():
                if not inspect.isclass(value) or value.__module__ != mod.__name__:
                    continue
                if issubclass(value, forms.BaseModelForm) and value._meta.model is None:
                    continue  # a base class (core.forms.ModelForm): its subclasses are the forms
                if issubclass(value, forms.BaseForm) or issubclass(value, django_filters.FilterSet):
                    found[f"{mod.__name__}.{name}"] = value
    return found
