"""The job offers (app ``jobs``) make four requirements of poste 4 computed (offers published, offers
diffused, the alumni network): the referential is loaded again (idempotent, keyed by the codes)."""

from django.db import migrations

from quality import referential


def load(apps, schema_editor):
    referential.load(apps)


class Migration(migrations.Migration):
    dependencies = [("quality", "0005_survey_requirements"), ("jobs", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
