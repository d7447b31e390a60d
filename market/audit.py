"""The audit trail: publish and unpublish events, and bulk imports.

Publishing is detected from the report's history (django-simple-history), so
every path that saves a report (admin, API, shell, rollback) leaves a trace,
with the user the history records.
"""

from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from market.models import AuditEvent, Report


@receiver(post_create_historical_record, sender=Report.history.model)
def record_publication_change(sender, instance, history_instance, **kwargs):
    previous = history_instance.prev_record
    before = previous.status if previous else Report.Status.DRAFT
    if before == instance.status or history_instance.history_type == "-":
        return
    published = instance.status == Report.Status.PUBLISHED
    detail = ""
    if published and instance.published_at:
        detail = f"Visible to the public from {instance.published_at:%Y-%m-%d %H:%M} UTC."
    AuditEvent.objects.create(
        user=history_instance.history_user,
        action=AuditEvent.Action.PUBLISHED if published else AuditEvent.Action.UNPUBLISHED,
        subject=str(instance),
        detail=detail,
    )


def record_import(*, user, model, totals, file_name=""):
    """Note a bulk import that changed data (not its dry run)."""
    counts = ", ".join(f"{count} {kind}" for kind, count in totals.items() if count)
    AuditEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=AuditEvent.Action.IMPORTED,
        subject=model._meta.verbose_name_plural,
        detail=f"{file_name}: {counts or 'no rows'}".lstrip(": "),
    )
