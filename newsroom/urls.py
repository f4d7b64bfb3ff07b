from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from . import accounts, health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    *accounts.urlpatterns,
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]


if settings.SERVE_MEDIA:
    # Uploaded files; in production the web server or object storage serves them.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
