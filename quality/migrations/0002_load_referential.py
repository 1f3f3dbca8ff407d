"""Load the charter's annex (quality.referential) as data: postes, périmètres, items, requirements."""

from django.db import migrations


def load(apps, schema_editor):
    from quality import referential

    referential.load(apps)


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_referential_schema")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
