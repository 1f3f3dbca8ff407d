"""The liaison sheets' copies of what the lists sort by (the period's start, the apprentice's name), kept
by the database's triggers however a row is written (``core.copies``).
``tests/livret/test_sort_copies.py`` checks every trigger fires, on the database the tests run on.
"""

from django.db import migrations, models

from core.copies import APPRENTICE_NAME, APPRENTICE_NAME_SOURCES, Copies, Source, run

SHEETS = Copies(
    name="livret_sheet_sort",
    table="livret_liaisonsheet",
    copies={
        "sort_period_start": "SELECT start_date FROM apprentices_alternanceperiod WHERE id = NEW.period_id",
        **APPRENTICE_NAME,
    },
    through=("period_id", "contract_id"),
    sources=(
        Source("period", "apprentices_alternanceperiod", ("start_date",), "period_id = NEW.id"),
        *APPRENTICE_NAME_SOURCES,
    ),
)


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
        migrations.RunPython(run(SHEETS.keep(), SHEETS.fill()), run(SHEETS.forget())),
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
