"""The editor admin: stories and the authors, sections, organizations and tags they involve,
and the people who log in."""

from django.conf import settings
from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .fronts import BreakingNewsAdmin, FrontAdmin
from .images import ImageAdmin
from .stories import ArticleAdmin, ArticleAdminForm, BylineInline
from .subjects import AuthorAdmin, CategoryAdmin, OrganizationAdmin, TagAdmin
from .users import NewsroomUserAdmin

__all__ = [
    "ArticleAdmin",
    "ArticleAdminForm",
    "AuthorAdmin",
    "BreakingNewsAdmin",
    "BylineInline",
    "CategoryAdmin",
    "FrontAdmin",
    "ImageAdmin",
    "NewsroomUserAdmin",
    "OrganizationAdmin",
    "TagAdmin",
]

# Editors should see their newsroom's name, not "Django administration".
admin.site.site_header = format_lazy(_("{site} newsroom"), site=settings.SITE_NAME)
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = _("Newsroom")
