"""The surveys make four requirements computed (end-of-training evaluation, insertion, satisfaction):
the referential is loaded again (idempotent, keyed by the requirements' codes)."""

from django.db import migrations

from quality import referential


def load(apps, schema_editor):
    referential.load(apps)


class Migration(migrations.Migration):
    dependencies = [("quality", "0004_computationrun_lease")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
