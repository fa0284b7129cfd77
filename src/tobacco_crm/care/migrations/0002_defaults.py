"""The default service standard (seed 003) and greeting templates; only missing rows are
added, so it can be rerun, and edits made since are kept."""

from django.db import migrations

from tobacco_crm.care.defaults import install_defaults


def forwards(apps, schema_editor):
    install_defaults(apps.get_model("care", "ServiceStandardItem"), apps.get_model("care", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
