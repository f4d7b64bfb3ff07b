"""The login throttle (django-axes): who is asking, and what a locked-out login sees."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render


def client_ip_address(request) -> str | None:
    """The client's address: the proxy's last X-Forwarded-For entry behind a proxy, else the peer."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        # The right-most entry is the one our own proxy appended; earlier ones the client can forge.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The page a locked-out login gets: what happened, for how long, who can lift it (429)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)
