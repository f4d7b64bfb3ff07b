"""Share links for a story: plain addresses of each network's own share page, built from the
story's canonical URL (``SITE_URL``), so sharing needs no third-party script on our pages."""

from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _

from .canonical import absolute_url


def share_links(article) -> list[dict]:
    """``{"network", "label", "url"}`` for e-mail, X, Facebook, WhatsApp and LinkedIn, and the
    story's own address to copy."""
    url = absolute_url(article.get_absolute_url())
    title = article.headline
    return [
        {
            "network": "email",
            "label": _("E-mail"),
            "url": "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=quote),
        },
        {
            "network": "x",
            "label": "X (Twitter)",
            "url": "https://twitter.com/intent/tweet?" + urlencode({"text": title, "url": url}),
        },
        {
            "network": "facebook",
            "label": "Facebook",
            "url": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        },
        {
            "network": "whatsapp",
            "label": "WhatsApp",
            "url": "https://wa.me/?" + urlencode({"text": f"{title} {url}"}),
        },
        {
            "network": "linkedin",
            "label": "LinkedIn",
            "url": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        },
        {"network": "copy", "label": _("Copy link"), "url": url},
    ]
