"""Fronts and the breaking-news banner in the admin: editors place stories on the home page and
each section's page (every change is a revision: who, when, restore) and switch the banner."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from ..models import BreakingNews, Front, FrontSlot


class FrontSlotInline(admin.TabularInline):
    model = FrontSlot
    extra = 1
    ordering = ["position"]
    autocomplete_fields = ["article", "image"]
    fields = ["position", "article", "pinned_until", "headline", "image", "crop"]


@admin.register(Front)
class FrontAdmin(VersionAdmin):
    """A front with its places in order; places left empty are filled by the newest stories."""

    inlines = [FrontSlotInline]
    list_display = ["__str__", "updated_at"]
    list_select_related = ["section"]
    autocomplete_fields = ["section"]
    history_latest_first = True


@admin.register(BreakingNews)
class BreakingNewsAdmin(admin.ModelAdmin):
    """Switch the banner on for one story, with an optional end."""

    list_display = ["__str__", "active", "expires_at", "created_at", "created_by"]
    list_filter = ["active"]
    list_select_related = ["article", "created_by"]
    autocomplete_fields = ["article"]
    fields = ["article", "label", "active", "expires_at"]
    actions = ["switch_off"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Switch the selected banners off"), permissions=["change"])
    def switch_off(self, request, queryset):
        # One save each (not update()), so the page cache hears of it like any other change.
        for banner in queryset.filter(active=True):
            banner.active = False
            banner.save(update_fields=["active"])
