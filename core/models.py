"""People, roles, organisations, academic years and the audit trail: what every app shares."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# AuditEvent is defined beside the trail that writes it (core.audit); it is a model of this app.
from core.audit import AuditedModel
from core.audit import AuditEvent as AuditEvent
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
            raise ValueError("Une adresse électronique est obligatoire.")
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

    email = models.EmailField(_("adresse électronique"), unique=True)
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
                violation_error_message=_("Cette adresse électronique est déjà utilisée."),
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


# Documents ------------------------------------------------------------------------------------------
# What every signed document shares (``core.workflow``): the signatures of exactly what was signed,
# and the emailed links that let one person do one action on one document.


class DocumentQuerySet(models.QuerySet):
    """Rows attached to a document through (document_type, document_id): signatures, links."""

    def for_document(self, document):
        return self.filter(
            document_type=ContentType.objects.get_for_model(type(document)), document_id=document.pk
        )


class Signature(models.Model):
    """Simple electronic signature: who, when, how, and the SHA-256 of exactly what was signed."""

    class Via(models.TextChoices):
        SESSION = "session", _("session connectée")
        LINK = "link", _("lien reçu par message électronique")

    class Act(models.TextChoices):
        SUBMIT = "submit", _("Transmission")
        COUNTERSIGN = "countersign", _("Contresignature du maître d'apprentissage")
        ACKNOWLEDGE = "acknowledge", _("Prise de connaissance")
        REPORT = "report", _("Compte rendu du tuteur pédagogique")
        VALIDATE = "validate", _("Validation du responsable de formation")
        EVALUATE = "evaluate", _("Évaluation du maître d'apprentissage")
        SELF_ASSESS = "self_assess", _("Auto-évaluation de l'apprenti")

    document_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    document_id = models.PositiveBigIntegerField()
    act = models.CharField(_("acte"), max_length=15, choices=Act.choices)
    signer = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signer_name = models.CharField(_("signataire"), max_length=200)
    signer_email = models.EmailField(_("adresse électronique du signataire"))
    via = models.CharField(_("moyen"), max_length=10, choices=Via.choices)
    signed_at = models.DateTimeField(_("signé le"), default=timezone.now)
    content = models.TextField(_("contenu signé"))
    content_sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        # Created by the booklet, the first app to sign: the table keeps the name it was created with.
        db_table = "livret_signature"
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at", "pk"]
        constraints = [
            # Each person signs each act once; a submission may be signed again after a return, and
            # every submission stays on record.
            models.UniqueConstraint(
                fields=["document_type", "document_id", "act", "signer_email"],
                condition=~Q(act="submit"),
                name="signature_one_act_per_signer",
                violation_error_message=_("Ce document porte déjà cette signature."),
            )
        ]
        indexes = [models.Index(fields=["document_type", "document_id"], name="signature_document_idx")]

    def __str__(self):
        return f"{self.get_act_display()} — {self.signer_name} — {self.signed_at:%d/%m/%Y %H:%M}"


class ActionLink(models.Model):
    """An emailed link that lets one person do one action on one document, once, before it expires.

    The token in the URL is signed (``django.core.signing``) and carries this row's id and nonce;
    the row says for whom, on what, until when, and whether it was used. It never logs anyone in.
    """

    class Action(models.TextChoices):
        COUNTERSIGN = "countersign", _("contresigner")
        ACKNOWLEDGE = "acknowledge", _("prendre connaissance")
        EVALUATE = "evaluate", _("évaluer")

    document_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    document_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=15, choices=Action.choices)
    recipient_email = models.EmailField()
    recipient_name = models.CharField(max_length=200)
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        db_table = "livret_actionlink"
        verbose_name = _("lien d'action")
        verbose_name_plural = _("liens d'action")
        indexes = [models.Index(fields=["document_type", "document_id"], name="actionlink_document_idx")]

    def __str__(self):
        return f"{self.get_action_display()} — {self.recipient_email}"

    def is_for(self, document) -> bool:
        return (
            self.document_id == document.pk
            and self.document_type_id == ContentType.objects.get_for_model(type(document)).pk
        )


class OutboxMessage(models.Model):
    """A task to hand to the broker, written in the same transaction as the change that calls for it
    (a transactional outbox): the work cannot be lost between the commit and the broker, and a broker
    that does not answer only delays it. Deleted once the broker has accepted it."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    # Not handed over before then: a failed hand-over is tried again a little later.
    available_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("tâche en attente du service de traitement")
        verbose_name_plural = _("tâches en attente du service de traitement")
        ordering = ["pk"]
        indexes = [models.Index(fields=["available_at"], name="outbox_available_idx")]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class FormSubmission(models.Model):
    """The one-time token of a create form, recorded in the transaction of what it created: a second
    POST of the same form (a double click, a resent page) creates nothing and goes to ``url``."""

    token = models.CharField(_("jeton"), max_length=64, unique=True)
    user = models.ForeignKey(
        "core.User", verbose_name=_("utilisateur"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now, db_index=True)
    url = models.CharField(_("page de ce qui a été créé"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("envoi de formulaire")
        verbose_name_plural = _("envois de formulaires")

    def __str__(self):
        return f"{self.token[:8]}… ({self.created_at:%d/%m/%Y %H:%M})"


class CalendarFeed(models.Model):
    """A person's private calendar address (« Mon agenda »): the feed answers whoever holds its token,
    without a login, so only the token's SHA-256 is stored; a new address replaces the old one, and
    revoking deletes it."""

    user = models.OneToOneField(
        User, verbose_name=_("utilisateur"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_sha256 = models.CharField(_("empreinte du jeton"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("agenda partagé")
        verbose_name_plural = _("agendas partagés")

    def __str__(self):
        return f"{self.user} ({self.created_at:%d/%m/%Y})"
