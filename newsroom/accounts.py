"""Logging in and getting back in: Django's own password-reset views, on the admin's pages.

The e-mail's link is built on ``SITE_URL``, never on the request's Host header (which a
client writes, and which would let anyone send an editor a reset link to their own server).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import path


class SiteURLPasswordResetView(auth_views.PasswordResetView):
    """Django's reset form; the e-mail's address comes from ``SITE_URL``."""

    def form_valid(self, form):
        # Django's own view passes no domain, so the form would take the request's host.
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            html_email_template_name=self.html_email_template_name,
            extra_email_context={"site_name": settings.SITE_NAME},
            request=self.request,
        )
        return HttpResponseRedirect(self.get_success_url())


# Before the admin's own addresses, whose catch-all would answer these with a 404. The names
# are Django's: the admin's login page shows "Forgotten your password?" when
# ``admin_password_reset`` exists, and the views find each other by these names.
urlpatterns = [
    path(
        "admin/password_reset/",
        SiteURLPasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "admin/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "admin/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
