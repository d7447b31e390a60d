"""System checks: no admin of a versioned model can forget the lost-edit guard, and
no content model can do without the query recording of the response cache."""

from django.contrib import admin
from django.core import checks


@checks.register(checks.Tags.admin)
def versioned_admins(app_configs, **kwargs):
    from gtmp_site.core.admin_base import ContentAdmin, VersionedInlineMixin
    from gtmp_site.core.versioning import VersionedModel

    errors = []
    for model, model_admin in admin.site._registry.items():
        if not issubclass(model, VersionedModel):
            continue
        if not isinstance(model_admin, ContentAdmin):
            errors.append(
                checks.Error(
                    f"The admin of {model.__name__} must subclass ContentAdmin, "
                    "or its saves can silently overwrite a colleague's.",
                    obj=type(model_admin),
                    id="core.E001",
                )
            )
        for inline in model_admin.inlines:
            if issubclass(inline.model, VersionedModel) and not issubclass(
                inline, VersionedInlineMixin
            ):
                errors.append(
                    checks.Error(
                        f"The inline {inline.__name__} must use VersionedInlineMixin.",
                        obj=inline,
                        id="core.E002",
                    )
                )
    return errors


@checks.register()
def content_querysets(app_configs, **kwargs):
    """Every content model's queries say what they read, or cached responses that
    show its rows would not know when to go stale (gtmp_site/core/shown.py)."""
    from django.apps import apps

    from gtmp_site.core.models import ContentModel
    from gtmp_site.core.querysets import ContentQuerySet

    return [
        checks.Error(
            f"The default manager of {model.__name__} must be built on ContentQuerySet.",
            obj=model,
            id="core.E003",
        )
        for model in apps.get_models()
        if issubclass(model, ContentModel)
        and not issubclass(model._default_manager._queryset_class, ContentQuerySet)
    ]
