"""The mission descriptions' copies of what their list sorts by (the academic year's start, the
apprentice's name), kept by the database's triggers however a row is written (``core.copies``).
``tests/livret/test_sort_copies.py`` checks every trigger fires, on the database the tests run on.
"""

from django.db import migrations, models

from core.copies import APPRENTICE_NAME, APPRENTICE_NAME_SOURCES, Copies, Source, run

MISSIONS = Copies(
    name="livret_mission_sort",
    table="livret_missiondescription",
    copies={
        "sort_year_start": "SELECT start_date FROM core_academicyear WHERE id = NEW.academic_year_id",
        **APPRENTICE_NAME,
    },
    through=("academic_year_id", "contract_id"),
    sources=(
        Source("year", "core_academicyear", ("start_date",), "academic_year_id = NEW.id"),
        *APPRENTICE_NAME_SOURCES,
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_calendar_feed"),
        ("livret", "0009_visit_day_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="missiondescription",
            name="sort_first_name",
            field=models.CharField(default="", editable=False, max_length=150),
        ),
        migrations.AddField(
            model_name="missiondescription",
            name="sort_last_name",
            field=models.CharField(default="", editable=False, max_length=150),
        ),
        migrations.AddField(
            model_name="missiondescription",
            name="sort_year_start",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(run(MISSIONS.keep(), MISSIONS.fill()), run(MISSIONS.forget())),
        migrations.AddIndex(
            model_name="missiondescription",
            index=models.Index(
                models.OrderBy(models.F("sort_year_start"), descending=True),
                models.F("sort_last_name"),
                models.F("sort_first_name"),
                models.F("id"),
                condition=models.Q(("is_current", True)),
                name="mission_current_sort_idx",
            ),
        ),
    ]
