import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Pieces of pages rendered when a story page's row is written (``story_fragments``).

    Rows are left without them: readers render what a row lacks, until ``manage.py
    write_story_pages`` (run after every deploy) renders them.
    """

    dependencies = [("articles", "0021_pagetagversion_version_idx")]

    operations = [
        migrations.AddField(
            model_name="storypage",
            name="rendered_with",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.CreateModel(
            name="StoryFragment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40)),
                ("text", models.TextField()),
                (
                    "page",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.storypage",
                    ),
                ),
            ],
            options={
                "db_table": "articles_storyfragment",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("page", "name"), name="storyfragment_page_name_uniq"
                    )
                ],
            },
        ),
    ]
