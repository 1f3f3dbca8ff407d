"""The CSV of the register of former employers (``core.csvexport``'s format: UTF-8 with BOM, ``;``,
French headers, formulas neutralised)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.csvexport import BOM, DELIMITER, cell


def former_employers_csv(rows) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER)
    writer.writerow(
        [
            _("Raison sociale"),
            _("SIRET"),
            _("Ville"),
            _("Apprentis accueillis"),
            _("Formations"),
            _("Premier contrat"),
            _("Fin du dernier contrat"),
            _("Accueille un apprenti aujourd'hui"),
            _("Contact RH"),
            _("Maîtres d'apprentissage"),
            _("Offres publiées"),
        ]
    )
    for row in rows:
        employer = row.employer
        writer.writerow(
            [
                cell(v)
                for v in (
                    employer.legal_name,
                    employer.siret,
                    employer.city,
                    row.apprentices,
                    ", ".join(row.diplomas),
                    row.first_start,
                    row.last_end,
                    row.hosts_now,
                    " ".join(filter(None, [employer.hr_contact_name, employer.hr_contact_email])),
                    " ; ".join(f"{name} <{email}>" for name, email in row.tutors),
                    row.offers,
                )
            ]
        )
    response = HttpResponse(BOM + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="ex-employeurs-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
