"""The liaison sheets' copies of what the lists sort by (the period's start, the apprentice's name), kept
by the database's triggers however a row is written (save, QuerySet.update, bulk_create, an import, an
erasure, SQL by hand).

One rule computes them, on the sheet itself: whenever a sheet is inserted, or updated in its period,
its contract or one of the copies, they are read again from the period and from the contract's
apprentice. A change at the source (a period's start, an apprentice's name, a contract's apprentice)
touches the copies of the sheets concerned, and that rule reads them again.

As for the status snapshots (``apprentices`` 0006): a later migration that rebuilds one of these tables on
SQLite drops its triggers and must create them again (``KEEP``). ``tests/livret/test_sheet_sort_copies.py``
checks every trigger fires, on the database the tests run on.
"""

from django.db import migrations, models

SHEETS = "livret_liaisonsheet"
COPIES = ("sort_period_start", "sort_last_name", "sort_first_name")
# A sheet's update that writes none of these keeps its copies (a draft saved, a signature).
READ = ("period_id", "contract_id", *COPIES)

PERIOD_START = "SELECT start_date FROM apprentices_alternanceperiod WHERE id = NEW.period_id"
NAME = (
    "SELECT a.{column} FROM apprentices_contract c JOIN apprentices_apprentice a ON a.id = c.apprentice_id"
    " WHERE c.id = NEW.contract_id"
)
TOUCH = f"UPDATE {SHEETS} SET sort_period_start = sort_period_start WHERE"
# The sources: (name, table, the columns copied, the sheets concerned by a row of it).
SOURCES = [
    ("period", "apprentices_alternanceperiod", ("start_date",), "period_id = NEW.id"),
    (
        "apprentice",
        "apprentices_apprentice",
        ("last_name", "first_name"),
        "contract_id IN (SELECT id FROM apprentices_contract WHERE apprentice_id = NEW.id)",
    ),
    ("contract", "apprentices_contract", ("apprentice_id",), "contract_id = NEW.id"),
]


def changed(columns, differ: str) -> str:
    return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in columns)


KEEP = {
    "postgresql": [
        f"""
        CREATE FUNCTION livret_sheet_sort_copies() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.sort_period_start := ({PERIOD_START});
            NEW.sort_last_name := COALESCE(({NAME.format(column="last_name")}), '');
            NEW.sort_first_name := COALESCE(({NAME.format(column="first_name")}), '');
            RETURN NEW;
        END $$""",
        f"""
        CREATE TRIGGER livret_sheet_sort_copies
        BEFORE INSERT OR UPDATE OF {", ".join(READ)} ON {SHEETS}
        FOR EACH ROW EXECUTE FUNCTION livret_sheet_sort_copies()""",
        *(
            statement
            for name, table, columns, concerned in SOURCES
            for statement in (
                f"""
                CREATE FUNCTION livret_sheet_sort_of_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    {TOUCH} {concerned};
                    RETURN NULL;
                END $$""",
                f"""
                CREATE TRIGGER livret_sheet_sort_of_{name} AFTER UPDATE ON {table}
                FOR EACH ROW WHEN ({changed(columns, "IS DISTINCT FROM")})
                EXECUTE FUNCTION livret_sheet_sort_of_{name}()""",
            )
        ),
    ],
    # SQLite's triggers cannot change the row being written: the sheet's own trigger rewrites its
    # copies right after (a trigger never fires itself again: recursive triggers are off).
    "sqlite": [
        *(
            f"""
            CREATE TRIGGER livret_sheet_sort_copies_{event.split()[0].lower()}
            AFTER {event} ON {SHEETS}
            BEGIN
                UPDATE {SHEETS} SET
                    sort_period_start = ({PERIOD_START}),
                    sort_last_name = COALESCE(({NAME.format(column="last_name")}), ''),
                    sort_first_name = COALESCE(({NAME.format(column="first_name")}), '')
                WHERE id = NEW.id;
            END"""
            for event in ("INSERT", f"UPDATE OF {', '.join(READ)}")
        ),
        *(
            f"""
            CREATE TRIGGER livret_sheet_sort_of_{name} AFTER UPDATE ON {table}
            WHEN {changed(columns, "IS NOT")}
            BEGIN {TOUCH} {concerned}; END"""
            for name, table, columns, concerned in SOURCES
        ),
    ],
}
# The sheets already there: their copies computed once, by the same rule (the sheet's trigger).
FILL = {
    "postgresql": [f"UPDATE {SHEETS} SET sort_period_start = sort_period_start"],
    "sqlite": [f"UPDATE {SHEETS} SET sort_period_start = sort_period_start"],
}
FORGET = {
    "postgresql": [
        f"DROP TRIGGER IF EXISTS livret_sheet_sort_copies ON {SHEETS}",
        *(f"DROP TRIGGER IF EXISTS livret_sheet_sort_of_{name} ON {table}" for name, table, *_ in SOURCES),
        "DROP FUNCTION IF EXISTS livret_sheet_sort_copies()",
        *(f"DROP FUNCTION IF EXISTS livret_sheet_sort_of_{name}()" for name, *_ in SOURCES),
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS livret_sheet_sort_copies_insert",
        "DROP TRIGGER IF EXISTS livret_sheet_sort_copies_update",
        *(f"DROP TRIGGER IF EXISTS livret_sheet_sort_of_{name}" for name, *_ in SOURCES),
    ],
}


def _run(*groups):
    def run(apps, schema_editor):
        for statements in groups:
            for sql in statements.get(schema_editor.connection.vendor, []):
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("apprentices", "0007_period_start_index"),
        ("livret", "0007_sheet_current_due_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="liaisonsheet",
            name="sort_first_name",
            field=models.CharField(default="", editable=False, max_length=150),
        ),
        migrations.AddField(
            model_name="liaisonsheet",
            name="sort_last_name",
            field=models.CharField(default="", editable=False, max_length=150),
        ),
        migrations.AddField(
            model_name="liaisonsheet",
            name="sort_period_start",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(_run(KEEP, FILL), _run(FORGET)),
        migrations.AddIndex(
            model_name="liaisonsheet",
            index=models.Index(
                models.F("sort_period_start").desc(),
                models.F("sort_last_name"),
                models.F("sort_first_name"),
                models.F("id"),
                condition=models.Q(("is_current", True)),
                name="sheet_current_sort_idx",
            ),
        ),
    ]
