"""The CSV of a campaign's free texts (``core.csvexport``'s format: UTF-8 with BOM, ``;``, French
headers, formulas neutralised). An anonymous campaign's file names no one and is sorted by text."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.csvexport import CsvExport, streaming_response
from surveys.selectors import free_texts


class FreeTextExport(CsvExport):
    name = "survey_texts"
    title = gettext_lazy("Réponses libres")
    filename = "reponses-libres"

    def __init__(self, anonymous: bool):
        self.anonymous = anonymous
        columns = [
            (_("Question"), lambda a: a.question.text),
            (_("Formation"), lambda a: a.response.diploma.code if a.response.diploma_id else ""),
            (_("Réponse"), lambda a: a.text),
        ]
        if not anonymous:
            columns.insert(
                1, (_("Personne"), lambda a: a.response.invitation.name if a.response.invitation_id else "")
            )
            columns.append((_("Répondu le"), lambda a: a.response.submitted_on))
        self.columns = columns


def free_text_response(campaign):
    return streaming_response(FreeTextExport(campaign.anonymous), free_texts(campaign))
