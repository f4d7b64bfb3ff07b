import django.db.models.deletion
from django.db import migrations, models


def fill_story_pages(apps, schema_editor):
    """Every published story's row, read through this migration's models."""
    from articles.story_pages import write_every_page

    write_every_page(using=schema_editor.connection.alias, models=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0019_reader_updates_and_listing"),
    ]

    operations = [
        migrations.CreateModel(
            name="StoryPage",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("story", models.JSONField()),
                ("lead_image", models.JSONField(null=True)),
            ],
            options={
                "db_table": "articles_storypage",
            },
        ),
        migrations.RunPython(fill_story_pages, migrations.RunPython.noop),
    ]
