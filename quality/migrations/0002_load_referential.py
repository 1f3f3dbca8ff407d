"""Load the charter's annex (quality.referential) as data: postes, périmètres, items, requirements."""

from django.db import migrations

from quality import referential


def load(apps, schema_editor):
    referential.load(apps)


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_referential_schema")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
