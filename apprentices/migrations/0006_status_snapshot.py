"""The statuses of the day (StatusSnapshot), and the triggers that delete an apprentice's snapshot
whenever something it was computed from changes, however it is written (save, QuerySet.update,
bulk_create, an import, SQL by hand).

The triggers are the database's, not Django's: a later migration that rebuilds one of these tables
on SQLite (``AlterField`` copies the table into a new one) drops its triggers, and must create them
again (``FORGET``). ``tests/apprentices/test_status_snapshots.py`` checks every trigger fires, on
the database the tests run on.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


SNAPSHOTS = "apprentices_statussnapshot"

# The columns a status is computed from, by table: an update that changes none of them (a save that
# rewrites every column, the tutor's hours) keeps the snapshots.
READ = {
    "apprentices_contract": [
        "apprentice_id",
        "start_date",
        "planned_end_date",
        "rupture_date",
        "status",
        "diploma_outcome",
        "diploma_outcome_date",
    ],
    "apprentices_apprentice": ["cohort_id", "training_exit_date"],
    "apprentices_cohort": ["start_date", "entry_year_id"],
    "core_academicyear": ["start_date"],
}


def changed(table: str, differ: str) -> str:
    """SQL true when an update changed a column ``table``'s statuses read (``differ``: the vendor's
    null-safe inequality)."""
    return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in READ[table])


PG = "IS DISTINCT FROM"
LITE = "IS NOT"

# Each trigger deletes the snapshots of the apprentices concerned.
FORGET = {
    "postgresql": [
        f"""
        CREATE FUNCTION apprentices_forget_status_of_contract() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM {SNAPSHOTS} WHERE apprentice_id = OLD.apprentice_id;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                DELETE FROM {SNAPSHOTS} WHERE apprentice_id = NEW.apprentice_id;
            END IF;
            RETURN NULL;
        END $$""",
        """
        CREATE TRIGGER apprentices_contract_forget_status
        AFTER INSERT OR DELETE ON apprentices_contract
        FOR EACH ROW EXECUTE FUNCTION apprentices_forget_status_of_contract()""",
        f"""
        CREATE TRIGGER apprentices_contract_forget_status_update
        AFTER UPDATE ON apprentices_contract
        FOR EACH ROW WHEN ({changed("apprentices_contract", PG)})
        EXECUTE FUNCTION apprentices_forget_status_of_contract()""",
        f"""
        CREATE FUNCTION apprentices_forget_status_of_apprentice() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {SNAPSHOTS} WHERE apprentice_id = NEW.id;
            RETURN NULL;
        END $$""",
        f"""
        CREATE TRIGGER apprentices_apprentice_forget_status
        AFTER UPDATE ON apprentices_apprentice
        FOR EACH ROW WHEN ({changed("apprentices_apprentice", PG)})
        EXECUTE FUNCTION apprentices_forget_status_of_apprentice()""",
        f"""
        CREATE FUNCTION apprentices_forget_status_of_cohort() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {SNAPSHOTS} WHERE apprentice_id IN (
                SELECT id FROM apprentices_apprentice WHERE cohort_id = NEW.id
            );
            RETURN NULL;
        END $$""",
        f"""
        CREATE TRIGGER apprentices_cohort_forget_status
        AFTER UPDATE ON apprentices_cohort
        FOR EACH ROW WHEN ({changed("apprentices_cohort", PG)})
        EXECUTE FUNCTION apprentices_forget_status_of_cohort()""",
        f"""
        CREATE FUNCTION apprentices_forget_every_status() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {SNAPSHOTS};
            RETURN NULL;
        END $$""",
        f"""
        CREATE TRIGGER core_academicyear_forget_status
        AFTER UPDATE ON core_academicyear
        FOR EACH ROW WHEN ({changed("core_academicyear", PG)})
        EXECUTE FUNCTION apprentices_forget_every_status()""",
    ],
    "sqlite": [
        f"""
        CREATE TRIGGER apprentices_contract_forget_status_insert AFTER INSERT ON apprentices_contract
        BEGIN DELETE FROM {SNAPSHOTS} WHERE apprentice_id = NEW.apprentice_id; END""",
        f"""
        CREATE TRIGGER apprentices_contract_forget_status_update AFTER UPDATE ON apprentices_contract
        WHEN {changed("apprentices_contract", LITE)}
        BEGIN DELETE FROM {SNAPSHOTS} WHERE apprentice_id IN (OLD.apprentice_id, NEW.apprentice_id); END""",
        f"""
        CREATE TRIGGER apprentices_contract_forget_status_delete AFTER DELETE ON apprentices_contract
        BEGIN DELETE FROM {SNAPSHOTS} WHERE apprentice_id = OLD.apprentice_id; END""",
        f"""
        CREATE TRIGGER apprentices_apprentice_forget_status AFTER UPDATE ON apprentices_apprentice
        WHEN {changed("apprentices_apprentice", LITE)}
        BEGIN DELETE FROM {SNAPSHOTS} WHERE apprentice_id = NEW.id; END""",
        f"""
        CREATE TRIGGER apprentices_cohort_forget_status AFTER UPDATE ON apprentices_cohort
        WHEN {changed("apprentices_cohort", LITE)}
        BEGIN
            DELETE FROM {SNAPSHOTS} WHERE apprentice_id IN (
                SELECT id FROM apprentices_apprentice WHERE cohort_id = NEW.id
            );
        END""",
        f"""
        CREATE TRIGGER core_academicyear_forget_status AFTER UPDATE ON core_academicyear
        WHEN {changed("core_academicyear", LITE)}
        BEGIN DELETE FROM {SNAPSHOTS}; END""",
    ],
}
REMEMBER = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS apprentices_contract_forget_status ON apprentices_contract",
        "DROP TRIGGER IF EXISTS apprentices_contract_forget_status_update ON apprentices_contract",
        "DROP TRIGGER IF EXISTS apprentices_apprentice_forget_status ON apprentices_apprentice",
        "DROP TRIGGER IF EXISTS apprentices_cohort_forget_status ON apprentices_cohort",
        "DROP TRIGGER IF EXISTS core_academicyear_forget_status ON core_academicyear",
        "DROP FUNCTION IF EXISTS apprentices_forget_status_of_contract()",
        "DROP FUNCTION IF EXISTS apprentices_forget_status_of_apprentice()",
        "DROP FUNCTION IF EXISTS apprentices_forget_status_of_cohort()",
        "DROP FUNCTION IF EXISTS apprentices_forget_every_status()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS apprentices_contract_forget_status_insert",
        "DROP TRIGGER IF EXISTS apprentices_contract_forget_status_update",
        "DROP TRIGGER IF EXISTS apprentices_contract_forget_status_delete",
        "DROP TRIGGER IF EXISTS apprentices_apprentice_forget_status",
        "DROP TRIGGER IF EXISTS apprentices_cohort_forget_status",
        "DROP TRIGGER IF EXISTS core_academicyear_forget_status",
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("apprentices", "0005_diploma_duration_months_cohort_start_date"),
        ("core", "0004_form_submission"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatusSnapshot",
            fields=[
                (
                    "apprentice",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="status_snapshot",
                        serialize=False,
                        to="apprentices.apprentice",
                    ),
                ),
                ("day", models.DateField()),
                ("status", models.CharField(max_length=12)),
                ("coming", models.BooleanField()),
                ("delay_start", models.DateField(null=True)),
                ("delay_months", models.PositiveSmallIntegerField(null=True)),
                ("computed_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "statut du jour",
                "verbose_name_plural": "statuts du jour",
            },
        ),
        migrations.RunPython(_run(FORGET), _run(REMEMBER)),
    ]
