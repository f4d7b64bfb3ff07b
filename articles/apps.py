from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Newsroom")

    def ready(self):
        from . import cache_tags, search, story_pages

        search.connect_index_receivers()
        cache_tags.connect_receivers()
        story_pages.connect_receivers()

        from .revisions import register_models

        register_models()
