from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "gtmp_site.core"
    label = "core"
    verbose_name = "Editing core"

    def ready(self):
        from gtmp_site.core import checks  # noqa: F401 - registers the system checks
        from gtmp_site.core.editors import ensure_editors_group

        post_migrate.connect(ensure_editors_group, sender=self)
