from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = "Market reports"

    def ready(self):
        from gtmp_site.core.fields import ProseField
        from market import audit  # noqa: F401 - connects the audit signal handlers
        from market.placeholders import HELP, validate_placeholders

        # Every prose field, in every app, refuses placeholders with unknown names.
        ProseField.app_validators.append(validate_placeholders)
        ProseField.app_help.append(HELP)
