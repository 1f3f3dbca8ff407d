"""The French catalogue of plural forms (locale/fr/LC_MESSAGES/django.po).

The source strings are French, but gettext without a catalogue chooses between a msgid and its plural
with the English rule (n != 1): 0 would read "0 rencontres tenues". French uses the singular for 0 and
1 (Plural-Forms: nplurals=2; plural=(n > 1)). So the French catalogue holds exactly the plural entries
of the platform, each translated by its own singular and plural: it is derived from the English
catalogue, which makemessages keeps complete, by ``manage.py french_plurals``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

HEADER = """\
# French plural forms of the platform's strings: the source strings are French, and this catalogue
# only gives French its plural rule (the singular for 0 and 1). Written by `manage.py french_plurals`
# from locale/en; do not edit by hand.
msgid ""
msgstr ""
"Project-Id-Version: livret-apprentissage\\n"
"Language: fr\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"
"""


@dataclass(frozen=True)
class PluralEntry:
    context: str | None
    singular: str
    plural: str


def locale_file(language: str) -> Path:
    return Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"


def _string(line: str) -> str:
    return ast.literal_eval(line.strip())


def plural_entries(po_text: str) -> list[PluralEntry]:
    """The plural entries of a .po file's text (obsolete ones left out), in its order."""
    entries = []
    for block in po_text.split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid", "msgid_plural") or keyword.startswith("msgstr"):
                current = keyword
                fields[current] = _string(rest)
            elif line.startswith('"') and current:
                fields[current] += _string(line)
        if "msgid_plural" in fields:
            entries.append(PluralEntry(fields.get("msgctxt"), fields["msgid"], fields["msgid_plural"]))
    return entries


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def french_catalogue(entries: list[PluralEntry]) -> str:
    """The French .po text for ``entries``: each one's singular for n ≤ 1, its plural above."""
    blocks = [HEADER]
    for entry in sorted(set(entries), key=lambda e: (e.context or "", e.singular, e.plural)):
        lines = [f"msgctxt {_quoted(entry.context)}"] if entry.context is not None else []
        lines += [
            f"msgid {_quoted(entry.singular)}",
            f"msgid_plural {_quoted(entry.plural)}",
            f"msgstr[0] {_quoted(entry.singular)}",
            f"msgstr[1] {_quoted(entry.plural)}",
        ]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def expected_french_catalogue() -> str:
    return french_catalogue(plural_entries(locale_file("en").read_text(encoding="utf-8")))
