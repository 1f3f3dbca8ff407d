"""The English catalogue is complete: no French text leaks into the English interface."""

import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def entries() -> list[str]:
    """The catalogue's entries (the header excluded), as blocks of text."""
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    return [block for block in blocks[1:] if "msgid" in block]


def test_no_entry_is_fuzzy_or_obsolete():
    flagged = [block for block in entries() if re.search(r"^#,.*\bfuzzy\b", block, re.M)]
    obsolete = [block for block in entries() if block.lstrip().startswith("#~")]

    assert flagged == []
    assert obsolete == []


def translations(block: str) -> list[str]:
    """The text of each ``msgstr`` (or ``msgstr[n]``) of an entry, continuation lines joined."""
    texts, current = [], None
    for line in block.splitlines():
        if line.startswith("msgstr"):
            current = [line.split(" ", 1)[1].strip('"')]
            texts.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line.strip('"'))
        elif not line.startswith('"'):
            current = None
    return ["".join(parts) for parts in texts]


def test_an_empty_translation_is_detected():
    assert translations('msgid "Oui"\nmsgstr ""') == [""]
    assert translations('msgid ""\n"Oui"\nmsgstr ""\n"Yes"') == ["Yes"]
    assert translations('msgid "a"\nmsgid_plural "b"\nmsgstr[0] "x"\nmsgstr[1] ""') == ["x", ""]


def test_every_entry_is_translated():
    untranslated = [block for block in entries() if "" in translations(block)]

    assert untranslated == []


def test_the_compiled_catalogue_is_newer_than_its_source():
    assert PO.with_suffix(".mo").stat().st_mtime >= PO.stat().st_mtime - 1
