"""The newsroom's roles as groups: Reporter, Editor and Admin, with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ_SUBJECTS = [
    "articles.view_category",
    "articles.view_author",
    "articles.view_organization",
    "taggit.view_tag",
]
STORY_EDITING = [
    "articles.add_article",
    "articles.change_article",
    "articles.view_article",
    "articles.submit_article",
    "articles.add_byline",
    "articles.change_byline",
    "articles.delete_byline",
    "articles.view_byline",
    "articles.add_image",
    "articles.change_image",
    "articles.view_image",
]
EDITING_DESK = [
    "articles.delete_article",
    "articles.publish_article",
    "articles.unpublish_article",
    "articles.append_correction",
    "articles.view_correction",
    "articles.share_preview",
    "articles.edit_any_article",
    "articles.view_articletransition",
    "articles.view_articlepath",
    "articles.add_author",
    "articles.change_author",
    "articles.add_organization",
    "articles.change_organization",
    "articles.add_organizationdomain",
    "articles.change_organizationdomain",
    "articles.view_organizationdomain",
    "articles.delete_image",
]
PEOPLE_AND_SITE = [
    "auth.add_user",
    "auth.change_user",
    "auth.view_user",
    "auth.view_group",
    "articles.add_category",
    "articles.change_category",
    "articles.delete_category",
    "articles.delete_author",
    "articles.delete_organization",
    "articles.delete_organizationdomain",
    "articles.change_articlepath",
    "articles.add_articlepath",
    "articles.delete_articlepath",
    "taggit.add_tag",
    "taggit.change_tag",
    "taggit.delete_tag",
]
ROLES = {
    "Reporter": STORY_EDITING + READ_SUBJECTS,
    "Editor": STORY_EDITING + READ_SUBJECTS + EDITING_DESK,
    "Admin": STORY_EDITING + READ_SUBJECTS + EDITING_DESK + PEOPLE_AND_SITE,
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for label in permissions:
            app_label, codename = label.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
