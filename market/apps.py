from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = "Market reports"

    def ready(self):
        from gtmp_site.core.cache import register_expiry
        from gtmp_site.core.fields import ProseField
        from market import audit  # noqa: F401 - connects the audit signal handlers
        from market.models import Report
        from market.placeholders import HELP, validate_placeholders

        # Every prose field, in every app, refuses placeholders with unknown names.
        ProseField.app_validators.append(validate_placeholders)
        # Only prose that belongs to a report can hold them (company profiles cannot).
        ProseField.app_help.append(lambda field: HELP if _of_a_report(field.model) else None)
        # A cached page or API read lasts no longer than the next scheduled publication
        # of a report or an edition.
        register_expiry(Report.objects.next_scheduled_publication)


def _of_a_report(model):
    """Whether ``model`` is a report or one of its rows."""
    return model._meta.label == "market.Report" or any(
        f.name == "report" and f.is_relation for f in model._meta.get_fields()
    )
