from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Newsroom")

    def ready(self):
        from . import (
            cache_tags,
            feed_items,
            list_fragments,
            page_tags,
            search,
            story_fragments,
            story_page_pieces,
            story_pages,
            views,
        )

        # Receivers run in the order they were connected: the data pages are built from (the
        # story pages' read model, the search index) is written before the cache hears of the
        # change. Outside a transaction each receiver commits on its own, and a page rendered
        # between a change's announcement and its read-model row would be kept as fresh.
        search.connect_index_receivers()
        story_pages.connect_receivers()
        story_fragments.connect_receivers()
        feed_items.register_fragments()
        list_fragments.register_pieces()
        story_page_pieces.register_pieces()
        cache_tags.connect_receivers()
        # The story page's related lists: the page cache renders them again alone when only
        # what they show changed.
        page_tags.register_part(views.AROUND_STORY, views.around_stored_story)

        from .revisions import register_models

        register_models()
