"""People who log in: Django's user admin, with the power to make a superuser kept to superusers."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

# What turns an account into more than its roles: only a superuser may change these.
PRIVILEGE_FIELDS = ["is_superuser", "user_permissions"]

admin.site.unregister(User)


@admin.register(User)
class NewsroomUserAdmin(UserAdmin):
    """The Admin role manages people and gives them roles, but cannot make anyone (itself
    included) a superuser, hand out single permissions, or change a superuser's account
    (its password least of all)."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        return [*fields, *PRIVILEGE_FIELDS]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_touch(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_touch(request, obj)

    def _may_touch(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or not obj.is_superuser
