"""The public site mounted under /noticias/, for testing addresses after the URLs change."""

from django.urls import include, path

urlpatterns = [path("noticias/", include("articles.urls"))]
