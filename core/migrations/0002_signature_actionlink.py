# The signatures and the emailed action links move from the booklet to core.workflow: every document
# signs and is acted on by link the same way. Only the state moves; the tables keep their names
# (``Meta.db_table``), so no row is touched.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ActionLink",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("document_id", models.PositiveBigIntegerField()),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("countersign", "contresigner"),
                                    ("acknowledge", "prendre connaissance"),
                                    ("evaluate", "évaluer"),
                                ],
                                max_length=15,
                            ),
                        ),
                        ("recipient_email", models.EmailField(max_length=254)),
                        ("recipient_name", models.CharField(max_length=200)),
                        ("nonce", models.CharField(max_length=32)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField()),
                        ("used_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "document_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="contenttypes.contenttype",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "lien d'action",
                        "verbose_name_plural": "liens d'action",
                        "db_table": "livret_actionlink",
                        "indexes": [
                            models.Index(
                                fields=["document_type", "document_id"], name="actionlink_document_idx"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Signature",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("document_id", models.PositiveBigIntegerField()),
                        (
                            "act",
                            models.CharField(
                                choices=[
                                    ("submit", "Transmission"),
                                    ("countersign", "Contresignature du maître d'apprentissage"),
                                    ("acknowledge", "Prise de connaissance"),
                                    ("report", "Compte rendu du tuteur pédagogique"),
                                    ("validate", "Validation du responsable de formation"),
                                    ("evaluate", "Évaluation du maître d'apprentissage"),
                                    ("self_assess", "Auto-évaluation de l'apprenti"),
                                ],
                                max_length=15,
                                verbose_name="acte",
                            ),
                        ),
                        ("signer_name", models.CharField(max_length=200, verbose_name="signataire")),
                        ("signer_email", models.EmailField(max_length=254, verbose_name="e-mail du signataire")),
                        (
                            "via",
                            models.CharField(
                                choices=[("session", "session connectée"), ("link", "lien reçu par e-mail")],
                                max_length=10,
                                verbose_name="moyen",
                            ),
                        ),
                        (
                            "signed_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="signé le"),
                        ),
                        ("content", models.TextField(verbose_name="contenu signé")),
                        ("content_sha256", models.CharField(max_length=64, verbose_name="empreinte SHA-256")),
                        (
                            "document_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="contenttypes.contenttype",
                            ),
                        ),
                        (
                            "signer",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "signature",
                        "verbose_name_plural": "signatures",
                        "db_table": "livret_signature",
                        "ordering": ["signed_at", "pk"],
                        "indexes": [
                            models.Index(fields=["document_type", "document_id"], name="signature_document_idx")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("act", "submit"), _negated=True),
                                fields=("document_type", "document_id", "act", "signer_email"),
                                name="signature_one_act_per_signer",
                                violation_error_message="Ce document porte déjà cette signature.",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
