"""``manage.py load_demo``: the demo newsroom, with the reference story and an admin login."""

from datetime import datetime, time
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import cache_tags, story_pages
from articles.images import store_uploaded_image
from articles.importers.jekyll import as_list, parse_post, resolve_liquid, split_authors
from articles.models import (
    Article,
    Author,
    Byline,
    Category,
    Front,
    FrontSlot,
    Image,
    Organization,
    OrganizationDomain,
)
from articles.publishing import publish_article

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
DEMO_USERNAME = "admin"
DEMO_PASSWORD = "newsroom-demo"  # printed in the README; for a local demo only
# The demo newsroom's own byline, whatever SITE_NAME this checkout has.
DEMO_NEWSROOM = "Gobierno Fácil"
REFERENCE_STORY = "sociedad-civil-sale-de-alianza-para-el-gobierno-abierto"
# What each demo front leads with: the home page, then a section's page (by section slug).
DEMO_FRONTS = {
    None: [REFERENCE_STORY, "libertad-de-prensa"],
    "transparencia": ["fotomultas-en-puebla"],
}


class Command(BaseCommand):
    help = "Load the demo newsroom (the reference story, its organizations) and an admin login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-admin", action="store_true", help="Do not create the demo admin account."
        )

    @transaction.atomic
    def handle(self, *args, **options):
        organizations = self.load_organizations(DEMO_DIR / "organizations.yaml")
        stories = [self.load_post(path) for path in sorted((DEMO_DIR / "posts").glob("*.md"))]
        self.load_images(DEMO_DIR / "images.yaml")
        self.arrange_fronts()
        if not options["no_admin"]:
            self.ensure_admin()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo newsroom ready: {len(stories)} stories, {organizations} organizations. "
                f"Admin login: {DEMO_USERNAME} / {DEMO_PASSWORD}"
            )
        )

    def load_organizations(self, path: Path) -> int:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in entries:
            organization, _created = Organization.objects.update_or_create(
                slug=slugify(entry.get("acronym") or entry["name"]),
                defaults={
                    "name": entry["name"],
                    "acronym": entry.get("acronym", ""),
                    "website": entry.get("website", ""),
                    "description": entry.get("description", ""),
                },
            )
            for domain in entry.get("domains", []):
                OrganizationDomain.objects.update_or_create(
                    domain=domain, defaults={"organization": organization}
                )
        return len(entries)

    def load_post(self, path: Path) -> Article:
        post = parse_post(path.read_text(encoding="utf-8"), filename=path.name)
        meta = post.front_matter
        category_name = as_list(meta.get("category") or meta.get("categories"))[0]
        category = Category.objects.filter(name__iexact=category_name).first()
        if category is None:
            category = Category.objects.create(name=category_name, slug=slugify(category_name))
        article, _created = Article.objects.get_or_create(
            slug=post.slug, defaults={"headline": meta["title"]}
        )
        previous_html = article.body_html
        article.headline = meta["title"]
        article.dek = meta.get("description", "")
        article.summary = meta.get("tagline", "")
        article.body = resolve_liquid(post.body)
        article.category = category
        article.save()
        article.bylines.all().delete()
        for position, name in enumerate(split_authors(meta.get("author"))):
            author = Author.objects.filter(name=name).first() or Author.objects.create(
                name=name,
                slug=slugify(name),
                kind=Author.Kind.ORGANIZATION if name == DEMO_NEWSROOM else Author.Kind.PERSON,
            )
            Byline.objects.create(article=article, author=author, position=position)
        article.tags.set(as_list(meta.get("tags")))
        article.attach_linked_organizations(previous_body_html=previous_html)
        # The story names Cultura Ecológica without a usable link; an editor adds it by hand.
        article.organizations.add(*Organization.objects.filter(slug="cultura-ecologica"))
        publish_at = timezone.make_aware(datetime.combine(post.file_date, time(10, 0)))
        publish_article(article=article, at=publish_at)
        # Loading the demo is not an edit: the story was last changed when it was published.
        Article.objects.filter(pk=article.pk).update(updated_at=publish_at)
        article.updated_at = publish_at
        # update() sends no signals: the page cache and the story's read model hear it here.
        cache_tags.everything_changed()
        story_pages.write_pages([article.pk])
        return article

    def load_images(self, path: Path) -> None:
        """Give the demo stories their lead images (stored once, found again by file name)."""
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            details = {key: entry[key] for key in ("alt", "caption", "credit")}
            image = Image.objects.filter(original_filename=entry["file"]).first()
            if image is None:
                with (DEMO_DIR / "images" / entry["file"]).open("rb") as picture:
                    image = store_uploaded_image(file=File(picture, name=entry["file"]), **details)
            else:
                Image.objects.filter(pk=image.pk).update(**details)
            article = Article.objects.get(slug=entry["story"])
            if article.lead_image_id != image.pk:
                article.lead_image = image
                article.save()
            else:  # update() sends no signals: the story's read model shows the new details.
                story_pages.write_pages([article.pk])

    def arrange_fronts(self) -> None:
        """The home page and a section's page lead with stories an editor chose."""
        for section_slug, story_slugs in DEMO_FRONTS.items():
            section = Category.objects.get(slug=section_slug) if section_slug else None
            front, _created = Front.objects.get_or_create(section=section)
            for position, slug in enumerate(story_slugs, start=1):
                FrontSlot.objects.update_or_create(
                    front=front,
                    position=position,
                    defaults={"article": Article.objects.get(slug=slug)},
                )

    def ensure_admin(self):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"is_staff": True, "is_superuser": True, "email": "admin@localhost"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Author.objects.filter(name=DEMO_NEWSROOM, user__isnull=True).update(user=user)
