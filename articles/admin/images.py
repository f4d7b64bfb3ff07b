"""The media library in the admin: searchable, with thumbnails, uploads checked and cleaned.

``articles/admin.py`` imports this module so the registration happens with the rest.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import object_permissions
from ..images import ImageNotStored, delete_image, prepare_upload, save_image
from ..models import Image


class ImageForm(forms.ModelForm):
    """The library form: the file goes through ``prepare_upload`` like every other upload."""

    upload = forms.FileField(
        label=_("image file"),
        required=False,
        help_text=_("JPEG, PNG, GIF or WebP. Location and camera data are removed on upload."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )

    class Meta:
        model = Image
        fields = ["upload", "alt", "caption", "credit", "source", "focal_x", "focal_y"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared = None
        self.fields["upload"].required = self.instance.pk is None
        if self.instance.pk:
            self.fields["upload"].help_text = _("Choose a file only to replace the picture.")

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            self.prepared = prepare_upload(upload)
        return upload


def thumbnail_url(image) -> str | None:
    """The address of the image's square crop in a format every browser shows, or None.

    Reads ``image.renditions.all()``: prefetch them when listing several images."""
    for rendition in image.renditions.all():
        if rendition.spec.startswith("square-") and rendition.media_type != "image/webp":
            return rendition.file.url
    return None


def _thumbnail(image, size):
    url = thumbnail_url(image)
    if url is None:
        return "—"
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="" loading="lazy">', url, size, size
    )


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "__str__", "credit", "width", "height", "uploaded_at"]
    list_display_links = ["thumbnail", "__str__"]
    search_fields = ["alt", "caption", "credit", "source", "original_filename"]
    date_hierarchy = "uploaded_at"
    readonly_fields = [
        "preview",
        "width",
        "height",
        "original_filename",
        "uploaded_by",
        "uploaded_at",
    ]
    list_select_related = ["uploaded_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("renditions")

    def has_change_permission(self, request, obj=None):
        # A picture on a published story changes what readers see: editors only.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or object_permissions.can_change_image(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or object_permissions.can_delete_image(request.user, obj))

    @admin.display(description=_("thumbnail"))
    def thumbnail(self, image):
        return _thumbnail(image, 64)

    @admin.display(description=_("preview"))
    def preview(self, image):
        return _thumbnail(image, 200)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The admin's transaction has been rolled back by now: back to the form, with the reason.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ImageNotStored as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        save_image(
            image=obj,
            prepared=form.prepared,
            user=request.user,
            recrop=bool({"focal_x", "focal_y"} & set(form.changed_data)),
        )

    def delete_model(self, request, obj):
        delete_image(image=obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            delete_image(image=image)
