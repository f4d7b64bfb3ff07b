from django.db import migrations, models


class Migration(migrations.Migration):
    """Tags by version: what moved after a number is read from the index (``tag_mirror``)."""

    dependencies = [("articles", "0020_story_pages")]

    operations = [
        migrations.AddIndex(
            model_name="pagetagversion",
            index=models.Index(fields=["version"], name="pagetagversion_version_idx"),
        ),
    ]
