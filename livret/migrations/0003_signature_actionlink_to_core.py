# The signatures and the emailed action links now belong to core (core.0002): the booklet forgets them
# without touching their tables, which core keeps under the same names.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("livret", "0002_visits_missions_evaluations_reminders"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ActionLink"),
                migrations.DeleteModel(name="Signature"),
            ],
            database_operations=[],
        ),
    ]
