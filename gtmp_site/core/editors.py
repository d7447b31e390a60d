"""The "Editors" group: everything on the report content and the readers' enquiries,
nothing on accounts; and the "Publishers" group: editors who may publish an
edition someone else submitted."""

from django.apps import apps
from django.contrib.auth.management import create_permissions

EDITORS_GROUP = "Editors"
PUBLISHERS_GROUP = "Publishers"
PUBLISH_PERMISSION = "market.publish_edition"
# Apps whose every model is report content an editor may add, change, delete and view.
CONTENT_APPS = ("market", "companies", "faq", "therapies")
# Apps whose rows readers send (enquiries): editors view, answer and delete them.
INBOX_APPS = ("enquiries",)


def ensure_editors_group(**kwargs):
    """Create or refresh the Editors group; safe to run any number of times.

    Runs after every ``migrate`` (post_migrate), so models added later get their
    permissions into the group without a hand-written data migration. The
    permissions are created first because Django only creates them in its own
    post_migrate handler, which may not have run yet for the later apps.
    """
    from django.contrib.auth.models import Group, Permission

    for label in (*CONTENT_APPS, *INBOX_APPS):
        create_permissions(apps.get_app_config(label), verbosity=0)
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    content = Permission.objects.filter(content_type__app_label__in=CONTENT_APPS)
    group.permissions.add(*content.exclude(codename=PUBLISH_PERMISSION.split(".")[1]))
    inbox = Permission.objects.filter(content_type__app_label__in=INBOX_APPS)
    group.permissions.add(*inbox.exclude(codename__startswith="add_"))
    ensure_publishers_group()
    return group


def ensure_publishers_group():
    """Create the Publishers group (its members should be editors too)."""
    from django.contrib.auth.models import Group, Permission

    app_label, codename = PUBLISH_PERMISSION.split(".")
    group, _ = Group.objects.get_or_create(name=PUBLISHERS_GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return group
