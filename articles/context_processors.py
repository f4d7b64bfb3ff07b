"""Template context every public page needs: the site's name and canonical address."""

from django.conf import settings

from .models import Category


def site(request):
    """The site's identity and its sections for the navigation (one small, cached query)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "SITE_URL": settings.SITE_URL,
        "nav_sections": Category.objects.all().only("name", "slug"),
    }
