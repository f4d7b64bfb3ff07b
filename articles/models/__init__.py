"""The newsroom's data, one module per concern, all importable from ``articles.models``."""

from .fronts import BreakingNews, Front, FrontSlot
from .images import IMAGE_EXTENSIONS, Image, Rendition, image_upload_to
from .page_versions import PageTagVersion
from .read_model import StoryPage
from .search import ArticleSearchEntry
from .stories import (
    ADDRESS_FIELDS,
    WORDS_PER_MINUTE,
    Article,
    ArticlePath,
    Author,
    Byline,
    Category,
    Organization,
    OrganizationDomain,
    TaggedArticle,
    refuse_null_characters,
)
from .wordpress import WordPressItem
from .workflow import (
    ArticleAutosave,
    ArticleTransition,
    Correction,
    EditPresence,
    PreviewLink,
    article_status_choices,
)

__all__ = [
    "ADDRESS_FIELDS",
    "IMAGE_EXTENSIONS",
    "WORDS_PER_MINUTE",
    "Article",
    "ArticleAutosave",
    "ArticlePath",
    "ArticleSearchEntry",
    "ArticleTransition",
    "Author",
    "BreakingNews",
    "Byline",
    "Category",
    "Correction",
    "EditPresence",
    "Front",
    "FrontSlot",
    "Image",
    "Organization",
    "OrganizationDomain",
    "PageTagVersion",
    "PreviewLink",
    "Rendition",
    "StoryPage",
    "TaggedArticle",
    "WordPressItem",
    "article_status_choices",
    "image_upload_to",
    "refuse_null_characters",
]
