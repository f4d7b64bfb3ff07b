"""Django's admin app with the newsroom's own site (``articles.admin_site``): listed in
``INSTALLED_APPS`` instead of ``django.contrib.admin``."""

from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    default_site = "articles.admin_site.NewsroomAdminSite"
