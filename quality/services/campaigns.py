"""The close of a campaign: the year's indicators computed one last time, then every diploma's
trajectory kept in an immutable snapshot with its SHA-256."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apprentices.models import Diploma
from core.audit import record
from core.models import AcademicYear
from core.workflow import Refusal
from quality import perms
from quality.levels import evaluate
from quality.models import Campaign, ComputationRun
from quality.services.checks import ensure_open
from quality.services.computation import compute_indicators
from quality.snapshot import serialize


def close_campaign(*, organisation_id: int, year: AcademicYear, by, today=None) -> Campaign:
    """Freeze the year: recompute its indicators one last time, then keep every diploma's values,
    evidence, requirements and levels in an immutable snapshot."""
    if not perms.can_close_campaign(by, organisation_id):
        raise PermissionDenied(_("Seul un administrateur de l'établissement clôt une campagne."))
    today = today or timezone.localdate()
    if year.end_date >= today:
        raise Refusal(
            _("L'année %(year)s n'est pas terminée (elle finit le %(end)s) : elle se clôt ensuite.")
            % {"year": year, "end": year.end_date.strftime("%d/%m/%Y")}
        )
    ensure_open(organisation_id, year)
    if ComputationRun.objects.filter(
        organisation_id=organisation_id, academic_year=year, status__in=ComputationRun.ACTIVE
    ).exists():
        raise Refusal(_("Un calcul des indicateurs est en cours : clôturez quand il sera terminé."))
    diplomas = list(Diploma.objects.filter(organisation_id=organisation_id).order_by("code"))
    with transaction.atomic():
        compute_indicators(year=year, diplomas=diplomas, today=today)
        trajectories = evaluate(diplomas, year, today)
        snapshot = {
            "year": year.label,
            "closed_at": timezone.now().isoformat(),
            "diplomas": [serialize(trajectories[d.pk]) for d in diplomas],
        }
        canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
        try:
            campaign = Campaign.objects.create(
                organisation_id=organisation_id,
                academic_year=year,
                closed_by=by,
                snapshot=json.loads(canonical),
                sha256=hashlib.sha256(canonical.encode()).hexdigest(),
            )
        except IntegrityError:
            raise Refusal(_("Cette année est déjà close.")) from None
        record("quality.campaign.closed", campaign, {"year": year.label, "sha256": campaign.sha256}, actor=by)
    return campaign
