"""The booklet's charts: the progression of a contract's competences, drawn with ``core.charts``."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.charts import PALETTE, TEXT, LegendItem, Series, line_chart
from livret.models import Rating


def level_ticks() -> list[tuple[float, str, str]]:
    return [(float(level), str(level), str(label)) for level, label in Rating.Level.choices]


def progression_chart(progression, *, apprentice: str, chart_id: str = "progression") -> SafeString:
    """The progression of one contract (:class:`livret.services.evaluations.Progression`): a solid line
    per competence block for the company tutor, a dashed one for the apprentice's self-assessment."""
    series = []
    legend = [
        LegendItem(_("Maître d'apprentissage (trait plein)"), TEXT),
        LegendItem(_("Auto-évaluation de l'apprenti (pointillés)"), TEXT, dashed=True),
    ]
    for index, block in enumerate(progression.blocks):
        color = PALETTE[index % len(PALETTE)]
        drawn = [
            Series(f"{block.code} — {who}", values, color, dashed=rater == Rating.Rater.APPRENTICE)
            for rater, who in (
                (Rating.Rater.TUTOR, _("maître d'apprentissage")),
                (Rating.Rater.APPRENTICE, _("auto-évaluation de l'apprenti")),
            )
            for values in [progression.series(block.pk, rater)]
            if any(value is not None for value in values)
        ]
        if drawn:
            series += drawn
            legend.append(LegendItem(f"{block.code} — {block.title}", color, swatch=True))
    periods = progression.periods
    if periods:
        description = ngettext(
            "Niveau moyen de chaque bloc de compétences, de 1 (non acquis) à 4 (maîtrisé), sur %(n)s "
            "période en entreprise évaluée du %(start)s au %(end)s. Le tableau qui suit donne les "
            "mêmes valeurs.",
            "Niveau moyen de chaque bloc de compétences, de 1 (non acquis) à 4 (maîtrisé), sur %(n)s "
            "périodes en entreprise évaluées du %(start)s au %(end)s. Le tableau qui suit donne les "
            "mêmes valeurs.",
            len(periods),
        ) % {
            "n": len(periods),
            "start": periods[0]["start"].strftime("%d/%m/%Y"),
            "end": periods[-1]["end"].strftime("%d/%m/%Y"),
        }
    else:
        description = _("Aucune évaluation validée pour l'instant.")
    return line_chart(
        title=_("Progression des compétences de %(name)s") % {"name": apprentice},
        description=description,
        x_labels=[period["start"].strftime("%d/%m/%y") for period in periods],
        y_ticks=level_ticks(),
        series=series,
        legend=legend,
        chart_id=chart_id,
        empty_message=_("Aucune évaluation validée pour l'instant."),
    )
