"""People, roles, organisations, academic years and the audit trail: what every app shares."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedModel
from core.validators import validate_academic_year_label, validate_postal_code, validate_siret, validate_uai


class Role(models.TextChoices):
    APPRENTICE = "apprentice", _("Apprenti")
    COMPANY_TUTOR = "company_tutor", _("Maître d'apprentissage")
    SCHOOL_TUTOR = "school_tutor", _("Tuteur pédagogique")
    HEAD_OF_DIPLOMA = "head_of_diploma", _("Responsable de formation")
    STAFF = "staff", _("Équipe du CFA")
    ADMIN = "admin", _("Administrateur")


# Roles that see their whole organisation.
ORGANISATION_ROLES = frozenset({Role.STAFF, Role.ADMIN})


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CFA = "cfa", _("CFA")
        ESTABLISHMENT = "establishment", _("Établissement de formation")
        BOTH = "both", _("CFA et établissement de formation")

    name = models.CharField(_("nom"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.BOTH)
    uai = models.CharField(_("code UAI"), max_length=8, blank=True, validators=[validate_uai])
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(
        _("code postal"), max_length=5, blank=True, validators=[validate_postal_code]
    )
    city = models.CharField(_("ville"), max_length=100, blank=True)
    disability_referent = models.ForeignKey(
        "core.User",
        verbose_name=_("référent handicap"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mobility_referent = models.ForeignKey(
        "core.User",
        verbose_name=_("référent mobilité"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Une adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        user = self._create_user(email, password, **extra)
        UserRole.objects.get_or_create(user=user, role=Role.ADMIN)
        return user


class User(AuditedModel, AbstractBaseUser, PermissionsMixin):
    """A person who can log in. Login is by email; roles are held in :class:`UserRole`."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(
        _("accès à l'administration"),
        default=False,
        help_text=_("Peut se connecter à l'interface d'administration (configuration)."),
    )
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=_("Cette adresse e-mail est déjà utilisée."),
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @cached_property
    def roles(self) -> frozenset[str]:
        if not self.is_authenticated or self.pk is None:
            return frozenset()
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, *roles) -> bool:
        return any(role in self.roles for role in roles)

    def role_labels(self) -> list[str]:
        return [label for value, label in Role.choices if value in self.roles]


class UserRole(AuditedModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("attribué le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                name="user_role_unique",
                violation_error_message=_("Ce rôle est déjà attribué."),
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"


class AcademicYearQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return (
            self.filter(start_date__lte=today, end_date__gte=today).first()
            or self.order_by("-start_date").first()
        )


class AcademicYear(models.Model):
    """Année scolaire, for example 2025-2026."""

    label = models.CharField(
        _("année scolaire"), max_length=9, unique=True, validators=[validate_academic_year_label]
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))

    objects = AcademicYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("année scolaire")
        verbose_name_plural = _("années scolaires")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="academic_year_dates_ordered",
                violation_error_message=_("La fin de l'année scolaire doit suivre son début."),
            )
        ]

    def __str__(self):
        return self.label


AUDIT_VERBS = {
    "created": _("Création"),
    "changed": _("Modification"),
    "deleted": _("Suppression"),
    "invited": _("Invitation envoyée"),
    "invitation_accepted": _("Invitation acceptée"),
    "opened": _("Ouverture"),
    "submitted": _("Transmission"),
    "countersigned": _("Contresignature"),
    "returned": _("Renvoi à l'apprenti"),
    "reviewed": _("Lecture du tuteur pédagogique"),
    "corrected": _("Nouvelle version"),
    "validated": _("Validation"),
    "planned": _("Visite planifiée"),
    "reported": _("Compte rendu partagé"),
    "cancelled": _("Annulation"),
    "acknowledged": _("Prise de connaissance"),
    "action_closed": _("Action de suivi close"),
    "evaluated": _("Évaluation du maître d'apprentissage"),
    "self_assessed": _("Auto-évaluation de l'apprenti"),
    "saved": _("Enregistrement"),
    "recorded": _("Enregistrement"),
    # Where the verb alone would mislead, the whole action has its own words.
    "livret.missiondescription.returned": _("Renvoi pour modification"),
    "livret.gridsharing.recorded": _("Partage de la grille noté"),
}


class AuditEvent(models.Model):
    """One change: who did it, what, on which object, with which data. Never edited."""

    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("auteur"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=80)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target_repr = models.CharField(_("objet"), max_length=200)
    data = models.JSONField(_("données"), default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.action} {self.target_repr}"

    @property
    def actor_label(self) -> str:
        """Who acted: the account, else the person named by an emailed link, else the platform."""
        if self.actor_id:
            return str(self.actor)
        data = self.data or {}
        if data.get("by"):
            return f"{data['by']} ({_('lien e-mail')})" if data.get("via") == "link" else data["by"]
        return str(_("Système"))

    @property
    def verb(self) -> str:
        return AUDIT_VERBS.get(self.action) or AUDIT_VERBS.get(self.action.rsplit(".", 1)[-1], self.action)

    def changed_fields(self) -> list[str]:
        """The verbose names of the fields this event changed."""
        # get_for_id reads the content-type cache that content_type_for filled: no query per event.
        model = ContentType.objects.get_for_id(self.target_type_id).model_class()
        names = []
        for attname in (self.data or {}).get("changes", {}):
            field = (
                next((f for f in model._meta.concrete_fields if f.attname == attname), None)
                if model
                else None
            )
            names.append(str(field.verbose_name) if field else attname)
        return names

    @staticmethod
    def content_type_for(model):
        return ContentType.objects.get_for_model(model)

    @classmethod
    def for_object(cls, obj):
        return cls.objects.filter(
            target_type=cls.content_type_for(type(obj)), target_id=obj.pk
        ).select_related("actor")
