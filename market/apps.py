from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = "Market reports"

    def ready(self):
        from market import audit, checks  # noqa: F401 - connect signal handlers and checks
        from market.editors import ensure_editors_group

        post_migrate.connect(ensure_editors_group, sender=self)
