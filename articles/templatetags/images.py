"""Template tags for library images: ``{% picture image %}`` and ``{% rendition_url image "card" %}``.

Both read prefetched ``Rendition`` rows only: no query, no image decoding while a page renders.
"""

from django import template

from ..canonical import absolute_url
from ..images import DEFAULT_SIZES, picture_context

register = template.Library()


@register.inclusion_tag("articles/includes/picture.html")
def picture(image, sizes=DEFAULT_SIZES, alt=None, eager=False, crop=""):
    """A responsive ``<picture>``: WebP and fallback srcsets, width, height, alt, lazy loading
    (``crop="square"``: the square crop)."""
    return picture_context(image, alt=alt, sizes=sizes, eager=eager, crop=crop)


@register.simple_tag
def rendition_url(image, crop):
    """The absolute URL of a named crop in the fallback format (``"card"`` for social networks);
    absolute because social networks and feed readers fetch it from elsewhere."""
    prefix = f"{crop}-"
    for rendition in image.renditions.all():
        if rendition.spec.startswith(prefix) and rendition.media_type != "image/webp":
            return absolute_url(rendition.file.url)
    return absolute_url(image.file.url)
