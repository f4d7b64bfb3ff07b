"""The editors' admin site: the newsroom's desk as its start page, and only the sections a
newsroom uses (superusers still see everything)."""

from django.contrib import admin

from . import dashboard

# Sections that hold a library's bookkeeping, not the newsroom's work: failed logins kept by
# axes (its own pages show them to whoever runs the site).
SUPERUSER_ONLY_APPS = {"axes"}
# Tags are the newsroom's (taggit only stores them): listed with stories, not as "Taggit".
FOLDED_APPS = {"taggit": "articles"}


class NewsroomAdminSite(admin.AdminSite):
    index_template = "admin/newsroom_index.html"

    def index(self, request, extra_context=None):
        """The start page: this person's desk above the sections."""
        context = {"desk": dashboard.desk_for(request.user), **(extra_context or {})}
        return super().index(request, context)

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        if not request.user.is_superuser:
            apps = [app for app in apps if app["app_label"] not in SUPERUSER_ONLY_APPS]
        by_label = {app["app_label"]: app for app in apps}
        for source, target in FOLDED_APPS.items():
            if source in by_label and target in by_label:
                by_label[target]["models"] = sorted(
                    by_label[target]["models"] + by_label.pop(source)["models"],
                    key=lambda model: model["name"],
                )
        return list(by_label.values())
