"""French as a French reader expects it: months abbreviated without ambiguity and "1er" (|human_date),
plurals by the French rule (the singular for 0 and 1) through the fr catalogue, no "(s)"."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.utils import translation

from core.dates import human_date
from core.i18n_plurals import PluralEntry, french_catalogue, locale_file, plural_entries

MONTHS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


@pytest.mark.parametrize("month", range(1, 13))
def test_each_month_is_abbreviated_without_ambiguity_and_the_first_day_is_1er(month):
    with translation.override("fr"):
        assert human_date(datetime.date(2026, month, 1)) == f"1er {MONTHS[month - 1]} 2026"
        assert human_date(datetime.date(2026, month, 12), "j M") == f"12 {MONTHS[month - 1]}"


def test_june_and_july_no_longer_read_alike():
    with translation.override("fr"):
        assert human_date(datetime.date(2026, 6, 3)) != human_date(datetime.date(2026, 7, 3))


def test_full_months_weekdays_and_times_keep_django_s_words_with_1er():
    moment = datetime.datetime(2026, 9, 1, 7, 30, tzinfo=datetime.UTC)
    with translation.override("fr"):
        assert human_date(datetime.date(2026, 9, 1), "j F Y") == "1er septembre 2026"
        assert human_date(datetime.date(2026, 9, 2), "l j F Y") == "mercredi 2 septembre 2026"
        assert human_date(moment, "j F Y à H:i") == "1er septembre 2026 à 09:30"  # in Europe/Paris
        assert human_date(moment.astimezone(ZoneInfo("UTC")), "j M") == "1er sept."
        assert human_date(None) == ""


def test_english_keeps_django_s_formats():
    with translation.override("en"):
        assert human_date(datetime.date(2026, 7, 1)) == "1 Jul 2026"
        assert human_date(datetime.date(2026, 7, 1), "j F") == "1 July"


def test_every_template_has_the_filter_without_loading_it():
    template = Template('{{ day|human_date }} · {{ day|human_date:"j F" }}')
    with translation.override("fr"):
        assert template.render(Context({"day": datetime.date(2026, 8, 1)})) == "1er août 2026 · 1er août"


def test_no_template_abbreviates_a_month_with_django_s_m():
    templates = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.*")
        if path.suffix in {".html", ".txt"} and re.search(r'\|date:"[^"]*[jM][^"]*"', path.read_text())
    ]
    assert offenders == []


# Plurals ----------------------------------------------------------------------------------------------

PLURAL = Template(
    "{% load i18n %}{% blocktranslate count held=n %}{{ held }} rencontre tenue{% plural %}"
    "{{ held }} rencontres tenues{% endblocktranslate %}"
)


@pytest.mark.parametrize(
    ("n", "text"), [(0, "0 rencontre tenue"), (1, "1 rencontre tenue"), (2, "2 rencontres tenues")]
)
def test_french_plurals_take_the_singular_for_0_and_1(n, text):
    with translation.override("fr"):
        assert PLURAL.render(Context({"n": n})) == text


@pytest.mark.parametrize(
    ("n", "text"), [(0, "0 meetings held"), (1, "1 meeting held"), (2, "2 meetings held")]
)
def test_english_plurals_keep_the_english_rule(n, text):
    with translation.override("en"):
        assert PLURAL.render(Context({"n": n})) == text


def test_a_plural_from_python_follows_the_french_rule():
    with translation.override("fr"):
        assert [
            translation.ngettext("Il y a %(counter)s erreur", "Il y a %(counter)s erreurs", n)
            % {"counter": n}
            for n in (0, 1, 2)
        ] == ["Il y a 0 erreur", "Il y a 1 erreur", "Il y a 2 erreurs"]


def test_every_plural_of_the_platform_has_its_french_entry():
    """The fr catalogue is written from the English one by `manage.py french_plurals`: run it after
    makemessages when this fails."""
    call_command("french_plurals", check=True)
    fr = locale_file("fr")
    english = plural_entries(locale_file("en").read_text(encoding="utf-8"))
    french = plural_entries(fr.read_text(encoding="utf-8"))
    assert len(english) > 20
    assert set(french) == set(english)
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in fr.read_text(encoding="utf-8")
    assert fr.with_suffix(".mo").stat().st_mtime >= fr.stat().st_mtime - 1


def test_the_check_fails_when_a_plural_is_missing(tmp_path, monkeypatch):
    stale = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    stale.parent.mkdir(parents=True)
    stale.write_text(french_catalogue([]), encoding="utf-8")
    real = locale_file
    monkeypatch.setattr(
        "core.management.commands.french_plurals.locale_file",
        lambda language: stale if language == "fr" else real(language),
    )
    with pytest.raises(CommandError):
        call_command("french_plurals", check=True)


def test_the_catalogue_reader_sees_contexts_continuations_and_escapes():
    text = (
        'msgid ""\nmsgstr ""\n"Plural-Forms: x\\n"\n\n'
        'msgctxt "mois"\nmsgid ""\n"%(n)s « jour »"\nmsgid_plural "%(n)s \\"jours\\""\n'
        'msgstr[0] "a"\nmsgstr[1] "b"\n\n#~ msgid "vieux"\n#~ msgid_plural "vieux"\n'
    )
    entries = plural_entries(text)

    assert entries == [PluralEntry("mois", "%(n)s « jour »", '%(n)s "jours"')]
    assert plural_entries(french_catalogue(entries)) == entries


def test_no_string_says_s_in_brackets():
    """ "exigence(s)" reads badly: a count takes ngettext or {% blocktranslate count %}."""
    english = locale_file("en").read_text(encoding="utf-8")
    msgids = re.findall(r'^msgid "(.*)"$', english, re.M)
    assert [m for m in msgids if re.search(r"\w\((s|es|x|aux)\)", m)] == []
    templates = Path(settings.BASE_DIR) / "templates"
    assert [
        str(path)
        for path in templates.rglob("*.html")
        if re.search(r"[a-zéèê]\((s|es|x|aux)\)", re.sub(r"{%.*?%}|{{.*?}}", "", path.read_text()))
    ] == []
