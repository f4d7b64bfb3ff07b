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
            name="fragments",
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name="storypage",
            name="rendered_with",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
