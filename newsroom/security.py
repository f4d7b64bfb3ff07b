"""The login throttle (django-axes): who is asking, what is locked, and what a locked-out
login sees."""

import ipaddress

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone


def _address(value: str | None) -> str | None:
    """``value`` when it is an IP address, else None (a forged header may hold anything)."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    """True when ``address`` is in ``TRUSTED_PROXY_NETWORKS`` (by default loopback and the
    private ranges a proxy in the same host, container network or VPC speaks from)."""
    parsed = _address(address)
    return parsed is not None and any(
        ipaddress.ip_address(parsed) in ipaddress.ip_network(network)
        for network in settings.TRUSTED_PROXY_NETWORKS
    )


def client_ip_address(request) -> str | None:
    """The client's address, which ``X-Forwarded-For`` may name only through our own proxies.

    With ``TRUSTED_PROXY_COUNT`` proxies in front (0: none, the peer is the client), each one
    appends the address it received the request from, so the client is the ``N``-th entry from
    the right; anything to its left was written by the client. The header is read only when
    the request arrives from a trusted proxy address: a client reaching the app directly (past
    the proxy) is known by its own address, whatever it claims.
    """
    peer = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0 or not is_trusted_proxy(peer):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < proxies:
        return peer  # the request skipped one of our proxies: trust nobody's header
    return _address(hops[-proxies]) or peer


def lockout_parameters(request_or_attempt, credentials=None) -> list:
    """What a failed login counts against (``AXES_LOCKOUT_PARAMETERS``).

    Always the username *from this address*: five mistakes lock that pair, not the office
    behind one NAT. The address alone once it has failed with
    ``AXES_USERNAMES_PER_ADDRESS`` different usernames (someone trying names); the username
    alone once it has failed from ``AXES_ADDRESSES_PER_USERNAME`` different addresses
    (guessing spread over many machines). Axes then counts every failure of that address or
    username, which is past its failure limit already.
    """
    # Imported here: axes' models load after the settings that name this function.
    from axes.helpers import get_client_username
    from axes.models import AccessAttempt, AccessBase

    if isinstance(request_or_attempt, AccessBase):
        username, address = request_or_attempt.username, request_or_attempt.ip_address
    else:
        username = get_client_username(request_or_attempt, credentials)
        address = getattr(request_or_attempt, "axes_ip_address", None)
    parameters = [["username", "ip_address"]]
    recent = AccessAttempt.objects.filter(
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    )
    if address and (
        recent.filter(ip_address=address).values("username").distinct().count()
        >= settings.AXES_USERNAMES_PER_ADDRESS
    ):
        parameters.append("ip_address")
    if username and (
        recent.filter(username=username).values("ip_address").distinct().count()
        >= settings.AXES_ADDRESSES_PER_USERNAME
    ):
        parameters.append("username")
    return parameters


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The page a locked-out login gets: what happened, for how long, who can lift it (429)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)
