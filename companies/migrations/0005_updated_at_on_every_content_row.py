# Every content model now carries updated_at (gtmp_site.core.models.ContentModel).
# Rows that existed before get the migration's time.

import django.utils.timezone
from django.db import migrations, models


def updated_at(model_name, auto_now):
    field = (
        models.DateTimeField(auto_now=True, default=django.utils.timezone.now)
        if auto_now
        else models.DateTimeField(blank=True, default=django.utils.timezone.now, editable=False)
    )
    return migrations.AddField(
        model_name=model_name,
        name="updated_at",
        field=field,
        preserve_default=False,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0004_normalised_prose"),
    ]

    operations = [
        updated_at("reportcompany", auto_now=True),
        updated_at("historicalreportcompany", auto_now=False),
    ]
