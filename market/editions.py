"""Publishing a report's working copy as an edition (market.models.Edition)."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from gtmp_site.core import cache, gate
from market import forecast, snapshot
from market.models import Edition, Report


def publish(report, *, note, reviewed_on, user=None, correction=False, at=None):
    """A new edition of ``report``'s working copy as it is now, public from ``at``
    (now by default): the next number, or the next correction of the latest.
    Refused (``gate.PublishRefused``) while the working copy has error checks."""
    with transaction.atomic():
        # One publisher at a time per report: the numbers follow each other.
        Report.objects.select_for_update().filter(pk=report.pk).first()
        report = Report.objects.for_page().with_segment_companies().get(pk=report.pk)
        errors = [c.message for c in report.checks() if c.level == forecast.ERROR]
        if errors:
            raise gate.PublishRefused(
                "An edition cannot be published with contradicting numbers. Fix these "
                "first: %(errors)s",
                code="publish-gate",
                params={"errors": " ".join(errors)},
            )
        latest = report.editions.order_by("-number", "-correction").first()
        if correction and latest is None:
            raise gate.PublishRefused("There is no edition to correct yet; publish edition 1.")
        number = latest.number if correction else (latest.number + 1 if latest else 1)
        document = json.loads(json.dumps(snapshot.build(report), cls=DjangoJSONEncoder))
        # Every response that shows the report now shows (or links) another edition.
        cache.content_changed(report.changed_keys())
        return Edition.objects.create(
            report=report,
            number=number,
            correction=latest.correction + 1 if correction else 0,
            published_at=(at or timezone.now()).replace(microsecond=0),
            reviewed_on=reviewed_on,
            note=note,
            published_by=user,
            document=document,
        )


def latest(report_slug):
    """The latest public edition of the report ``report_slug``, or None."""
    return (
        Edition.objects.public()
        .filter(report__slug=report_slug)
        .select_related("report")
        .order_by("-number", "-correction")
        .first()
    )
