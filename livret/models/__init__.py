"""Le livret d'apprentissage: its documents, one module per subject."""

from livret.models.activity import BookletActivity
from livret.models.evaluations import Evaluation, GridSharing, Rating
from livret.models.missions import MissionDecision, MissionDescription
from livret.models.reminders import Reminder
from livret.models.sheets import LiaisonSheet, LiaisonSheetQuerySet
from livret.models.visits import ActionItem, VisitReport, VisitReportVersion

__all__ = [
    "ActionItem",
    "BookletActivity",
    "Evaluation",
    "GridSharing",
    "LiaisonSheet",
    "LiaisonSheetQuerySet",
    "MissionDecision",
    "MissionDescription",
    "Rating",
    "Reminder",
    "VisitReport",
    "VisitReportVersion",
]
