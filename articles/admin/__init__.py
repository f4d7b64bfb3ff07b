"""The editor admin: stories and the authors, sections, organizations and tags they involve."""

from .images import ImageAdmin
from .stories import ArticleAdmin, ArticleAdminForm, BylineInline
from .subjects import AuthorAdmin, CategoryAdmin, OrganizationAdmin, TagAdmin

__all__ = [
    "ArticleAdmin",
    "ArticleAdminForm",
    "AuthorAdmin",
    "BylineInline",
    "CategoryAdmin",
    "ImageAdmin",
    "OrganizationAdmin",
    "TagAdmin",
]
