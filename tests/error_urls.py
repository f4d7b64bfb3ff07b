"""The project's URLs plus one that always fails, for testing what a 500 shows."""

from django.urls import path

from newsroom.urls import urlpatterns as project_urlpatterns


def fail(request):
    raise RuntimeError("secret detail: SELECT password FROM auth_user")


urlpatterns = [path("fallo/", fail), *project_urlpatterns]
