"""Columns that copy, onto a table's rows, what its lists sort by from other tables (a period's start, an
apprentice's name), kept by the database's triggers however a row is written: ``save()``,
``QuerySet.update()``, ``bulk_create()``, an import, an erasure, SQL by hand.

One rule computes a row's copies, on the row itself: whenever it is inserted, or updated in one of the
columns the copies are read through or in a copy, they are read again from their sources. A change at a
source (a period's start, an apprentice's name, a contract's apprentice) touches the copies of the rows
concerned, and that rule reads them again.

The SQL is built here and run by migrations (``livret`` 0008 and 0010); what a migration ran must not
change afterwards, so this module only grows. A later migration that rebuilds one of these tables on
SQLite (``AlterField`` copies the table into a new one) drops its triggers and must create them again
(``tests/core/test_triggers_kept.py`` lists every trigger, and fails on SQLite when one is gone).
"""

from __future__ import annotations

from dataclasses import dataclass

# The copies' columns, on every table that holds them: not what anyone changed (the audit trail leaves
# them out) nor personal data of their own (nor does an apprentice's archive).
FIELDS = frozenset({"sort_period_start", "sort_year_start", "sort_last_name", "sort_first_name"})


@dataclass(frozen=True)
class Source:
    """A table copied from: ``columns`` are those copied (a change of another keeps the copies);
    ``concerned`` selects the rows holding copies of one of its rows (``NEW``)."""

    name: str
    table: str
    columns: tuple[str, ...]
    concerned: str


def _apprentice_name(column: str) -> str:
    return (
        f"COALESCE((SELECT a.{column} FROM apprentices_contract c"
        " JOIN apprentices_apprentice a ON a.id = c.apprentice_id WHERE c.id = NEW.contract_id), '')"
    )


# The name of the apprentice of a row's contract (a table with ``contract_id``), and where it comes from.
APPRENTICE_NAME = {
    "sort_last_name": _apprentice_name("last_name"),
    "sort_first_name": _apprentice_name("first_name"),
}
APPRENTICE_NAME_SOURCES = (
    Source(
        "apprentice",
        "apprentices_apprentice",
        ("last_name", "first_name"),
        "contract_id IN (SELECT id FROM apprentices_contract WHERE apprentice_id = NEW.id)",
    ),
    Source("contract", "apprentices_contract", ("apprentice_id",), "contract_id = NEW.id"),
)


@dataclass(frozen=True)
class Copies:
    """``copies`` of ``table``'s rows: each column with the SQL that reads it (through ``NEW``), read
    again when one of ``through`` changes; ``name`` prefixes the triggers and functions."""

    name: str
    table: str
    copies: dict[str, str]
    through: tuple[str, ...]
    sources: tuple[Source, ...]

    @property
    def _reread(self) -> str:
        """An update that writes a copy onto itself: the row's own trigger then reads them all again."""
        first = next(iter(self.copies))
        return f"UPDATE {self.table} SET {first} = {first}"

    def _touch(self, source: Source) -> str:
        return f"{self._reread} WHERE {source.concerned}"

    def keep(self) -> dict[str, list[str]]:
        """The statements that create the triggers, by database vendor."""
        reads = ", ".join((*self.through, *self.copies))
        return {
            "postgresql": [
                f"""
                CREATE FUNCTION {self.name}_copies() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    {" ".join(f"NEW.{column} := ({sql});" for column, sql in self.copies.items())}
                    RETURN NEW;
                END $$""",
                f"""
                CREATE TRIGGER {self.name}_copies BEFORE INSERT OR UPDATE OF {reads} ON {self.table}
                FOR EACH ROW EXECUTE FUNCTION {self.name}_copies()""",
                *(
                    statement
                    for source in self.sources
                    for statement in (
                        f"""
                        CREATE FUNCTION {self.name}_of_{source.name}() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN
                            {self._touch(source)};
                            RETURN NULL;
                        END $$""",
                        f"""
                        CREATE TRIGGER {self.name}_of_{source.name} AFTER UPDATE ON {source.table}
                        FOR EACH ROW WHEN ({_changed(source.columns, "IS DISTINCT FROM")})
                        EXECUTE FUNCTION {self.name}_of_{source.name}()""",
                    )
                ),
            ],
            # SQLite's triggers cannot change the row being written: the row's own trigger rewrites its
            # copies right after (a trigger never fires itself again: recursive triggers are off).
            "sqlite": [
                *(
                    f"""
                    CREATE TRIGGER {self.name}_copies_{event.split()[0].lower()} AFTER {event} ON {self.table}
                    BEGIN
                        UPDATE {self.table} SET
                        {", ".join(f"{column} = ({sql})" for column, sql in self.copies.items())}
                        WHERE id = NEW.id;
                    END"""
                    for event in ("INSERT", f"UPDATE OF {reads}")
                ),
                *(
                    f"""
                    CREATE TRIGGER {self.name}_of_{source.name} AFTER UPDATE ON {source.table}
                    WHEN {_changed(source.columns, "IS NOT")}
                    BEGIN {self._touch(source)}; END"""
                    for source in self.sources
                ),
            ],
        }

    def fill(self) -> dict[str, list[str]]:
        """The statement that computes the copies of the rows already there, by the same rule."""
        return {"postgresql": [self._reread], "sqlite": [self._reread]}

    def forget(self) -> dict[str, list[str]]:
        """The statements that drop the triggers, by database vendor."""
        return {
            "postgresql": [
                f"DROP TRIGGER IF EXISTS {self.name}_copies ON {self.table}",
                *(
                    f"DROP TRIGGER IF EXISTS {self.name}_of_{source.name} ON {source.table}"
                    for source in self.sources
                ),
                f"DROP FUNCTION IF EXISTS {self.name}_copies()",
                *(f"DROP FUNCTION IF EXISTS {self.name}_of_{source.name}()" for source in self.sources),
            ],
            "sqlite": [
                f"DROP TRIGGER IF EXISTS {self.name}_copies_insert",
                f"DROP TRIGGER IF EXISTS {self.name}_copies_update",
                *(f"DROP TRIGGER IF EXISTS {self.name}_of_{source.name}" for source in self.sources),
            ],
        }


def _changed(columns: tuple[str, ...], differ: str) -> str:
    return " OR ".join(f"OLD.{column} {differ} NEW.{column}" for column in columns)


def run(*groups: dict[str, list[str]]):
    """A ``RunPython`` function that runs the statements of ``groups`` for the database's vendor."""

    def statements(apps, schema_editor):
        for group in groups:
            for sql in group.get(schema_editor.connection.vendor, []):
                schema_editor.execute(sql, params=None)

    return statements
