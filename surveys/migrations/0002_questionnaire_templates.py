from django.db import migrations

from surveys import questionnaires


def load(apps, schema_editor):
    questionnaires.load(apps)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
