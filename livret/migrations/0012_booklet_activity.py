"""The latest activity of each contract's booklet (BookletActivity), and the triggers that delete a
contract's row whenever one of its documents is written in a column activity is read from
(``livret.activity``), however it is written (save, QuerySet.update, bulk_create, SQL by hand).

A later migration that rebuilds one of these tables on SQLite drops its triggers and must create them
again (``FORGET``); ``tests/core/test_triggers_kept.py`` lists them.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

ACTIVITY = "livret_bookletactivity"

# The columns activity is read from, by table: an update that changes none of them keeps the row.
READ = {
    "livret_liaisonsheet": [
        "contract_id",
        "submitted_at",
        "countersigned_at",
        "reviewed_at",
        "updated_at",
        "revision",
    ],
    "livret_visitreport": ["contract_id", "created_at", "held_on"],
    "livret_missiondescription": ["contract_id", "updated_at", "revision", "submitted_at", "decided_at"],
    "livret_evaluation": ["contract_id", "updated_at"],
}


def changed(table: str, differ: str) -> str:
    return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in READ[table])


FORGET = {
    "postgresql": [
        f"""
        CREATE FUNCTION livret_forget_activity() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM {ACTIVITY} WHERE contract_id = OLD.contract_id;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                DELETE FROM {ACTIVITY} WHERE contract_id = NEW.contract_id;
            END IF;
            RETURN NULL;
        END $$""",
    ]
    + [
        sql
        for table in READ
        for sql in (
            f"""
            CREATE TRIGGER {table}_forget_activity
            AFTER INSERT OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION livret_forget_activity()""",
            f"""
            CREATE TRIGGER {table}_forget_activity_update
            AFTER UPDATE ON {table}
            FOR EACH ROW WHEN ({changed(table, "IS DISTINCT FROM")})
            EXECUTE FUNCTION livret_forget_activity()""",
        )
    ],
    "sqlite": [
        sql
        for table in READ
        for sql in (
            f"""
            CREATE TRIGGER {table}_forget_activity_insert AFTER INSERT ON {table}
            BEGIN DELETE FROM {ACTIVITY} WHERE contract_id = NEW.contract_id; END""",
            f"""
            CREATE TRIGGER {table}_forget_activity_update AFTER UPDATE ON {table}
            WHEN {changed(table, "IS NOT")}
            BEGIN DELETE FROM {ACTIVITY} WHERE contract_id IN (OLD.contract_id, NEW.contract_id); END""",
            f"""
            CREATE TRIGGER {table}_forget_activity_delete AFTER DELETE ON {table}
            BEGIN DELETE FROM {ACTIVITY} WHERE contract_id = OLD.contract_id; END""",
        )
    ],
}
REMEMBER = {
    "postgresql": [
        sql
        for table in READ
        for sql in (
            f"DROP TRIGGER IF EXISTS {table}_forget_activity ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_forget_activity_update ON {table}",
        )
    ]
    + ["DROP FUNCTION IF EXISTS livret_forget_activity()"],
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {table}_forget_activity_{event}"
        for table in READ
        for event in ("insert", "update", "delete")
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("apprentices", "0008_contract_start_index"),
        ("livret", "0011_sheet_covering_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="BookletActivity",
            fields=[
                (
                    "contract",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="booklet_activity",
                        serialize=False,
                        to="apprentices.contract",
                    ),
                ),
                ("last_at", models.DateTimeField(null=True)),
                ("last_held_on", models.DateField(null=True)),
                ("computed_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "activité du livret",
                "verbose_name_plural": "activités des livrets",
            },
        ),
        migrations.RunPython(_run(FORGET), _run(REMEMBER)),
    ]
