import time

from django.db import migrations, models


def create_counter(apps, schema_editor):
    """The counter row every change takes its number from (``articles/tag_versions.py``),
    started from the clock: above any number a page kept in the cache from an older database
    can carry."""
    apps.get_model("articles", "PageTagVersion").objects.using(
        schema_editor.connection.alias
    ).get_or_create(tag="#", defaults={"version": time.time_ns() // 1000})


class Migration(migrations.Migration):
    dependencies = [("articles", "0015_fronts")]

    operations = [
        migrations.CreateModel(
            name="PageTagVersion",
            fields=[
                ("tag", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "articles_pagetagversion"},
        ),
        migrations.RunPython(create_counter, migrations.RunPython.noop),
    ]
