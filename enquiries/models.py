"""Readers' enquiries to the editors: a request for the full report or a question
for an analyst, sent from a report's page. Personal data: kept no longer than
settings.ENQUIRY_RETENTION_DAYS (``manage.py purge_enquiries``)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from market.models import Report


class EnquiryQuerySet(models.QuerySet):
    def expired(self, days=None):
        """Enquiries received more than ``days`` (the retention period) days ago."""
        days = settings.ENQUIRY_RETENTION_DAYS if days is None else days
        return self.filter(received_at__lt=timezone.now() - timedelta(days=days))


class Enquiry(models.Model):
    class Kind(models.TextChoices):
        FULL_REPORT = "full_report", "Request the full report"
        QUESTION = "question", "Ask an analyst"

    class Status(models.TextChoices):
        NEW = "new", "New"
        ANSWERED = "answered", "Answered"
        SPAM = "spam", "Spam"

    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, related_name="enquiries",
        help_text="The report it was sent from.",
    )  # fmt: skip
    edition = models.CharField(
        max_length=20, blank=True, help_text="The edition the reader was reading."
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.QUESTION)
    name = models.CharField(max_length=200)
    email = models.EmailField("work e-mail")
    organisation = models.CharField(max_length=200)
    message = models.TextField(max_length=5000)
    consent = models.BooleanField(
        "consent to be contacted", help_text="The reader agreed to be contacted about it."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.NEW)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "enquiries"

    def __str__(self):
        return f"{self.name} ({self.organisation}), {self.received_at:%Y-%m-%d}"
