"""Everything a backup must carry, as plain data, so two databases can be compared.

The backup tests call ``newsroom_snapshot()`` in the test process (the original) and run this
module as a script in a child process pointed at the restored database and media folder
(``DATABASE_URL``, ``MEDIA_ROOT``), which prints the same snapshot as JSON.
"""

import hashlib
import json


def newsroom_snapshot() -> dict:
    """Stories with bylines, tags, organizations, corrections, old addresses and scheduled
    state; images with the bytes of every file; revisions; row counts; and the pages read."""
    from django.apps import apps
    from django.core.files.storage import default_storage
    from reversion.models import Version

    from articles.models import Article, Image

    def file_digest(name: str) -> str:
        with default_storage.open(name, "rb") as stored:
            return hashlib.sha256(stored.read()).hexdigest()

    stories = {}
    for article in Article.objects.order_by("slug"):
        stories[article.slug] = {
            "headline": article.headline,
            "status": article.status,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "is_published": article.is_published,
            "section": article.category.slug,
            "body_html": article.body_html,
            "byline": [
                [byline.author.slug, byline.role]
                for byline in article.bylines.select_related("author").order_by("position")
            ],
            "tags": sorted(article.tags.names()),
            "organizations": sorted(article.organizations.values_list("slug", flat=True)),
            "lead_image": article.lead_image.file.name if article.lead_image_id else None,
            "corrections": list(article.corrections.order_by("id").values_list("text", flat=True)),
            "old_paths": list(article.old_paths.values_list("path", flat=True)),
        }
    images = {
        image.file.name: {
            "sha256": file_digest(image.file.name),
            "alt": image.alt,
            "renditions": {
                rendition.spec: [rendition.file.name, file_digest(rendition.file.name)]
                for rendition in image.renditions.all()
            },
        }
        for image in Image.objects.prefetch_related("renditions")
    }
    revisions = sorted(
        [
            version.object_id,
            version.serialized_data,
            version.revision.comment,
            version.revision.user.username if version.revision.user else None,
        ]
        for version in Version.objects.select_related("revision__user", "content_type")
    )
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"articles", "auth", "taggit", "reversion"}
        and model._meta.model_name != "articlesearchentry"
    }
    return {
        "stories": stories,
        "images": images,
        "revisions": revisions,
        "counts": counts,
        "pages": pages_read(),
    }


def pages_read() -> dict:
    """What a reader gets at each story's address and at its old addresses."""
    from django.test import Client

    from articles.models import Article, ArticlePath

    reader = Client()
    pages = {}
    for article in Article.objects.order_by("slug"):
        response = reader.get(article.get_absolute_url())
        pages[article.get_absolute_url()] = [
            response.status_code,
            article.headline in response.content.decode(),
        ]
    for old in ArticlePath.objects.all():
        response = reader.get(old.path)
        pages[old.path] = [response.status_code, response.get("Location")]
    return pages


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(newsroom_snapshot()))
