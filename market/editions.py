"""Publishing a report's working copy as an edition (market.models.Edition).

With review on (``settings.EDITIONS_REVIEW``, the default), an editor submits the
working copy and a second person, a member of the Publishers group, publishes it
or sends it back; one may not approve one's own submission. A superuser may
publish a submission directly, and the audit log says so. With review off, any
editor publishes what they submit. Every step is in the audit log.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from gtmp_site.core import cache, gate
from gtmp_site.core.editors import PUBLISH_PERMISSION
from market import forecast, snapshot
from market.models import (
    AuditEvent,
    Edition,
    EditionEstimate,
    EditionFigure,
    EditionSegment,
    Report,
    ShareLink,
    Submission,
    index_edition,
    index_estimates,
)


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
        latest = report.editions.newest()
        if correction and latest is None:
            raise gate.PublishRefused("There is no edition to correct yet; publish edition 1.")
        number = latest.number if correction else (latest.number + 1 if latest else 1)
        document = snapshot.document(report)
        # Every response that shows the report now shows (or links) another edition.
        cache.content_changed(report.changed_keys())
        edition = Edition.objects.create(
            report=report,
            number=number,
            correction=latest.correction + 1 if correction else 0,
            published_at=(at or timezone.now()).replace(microsecond=0),
            reviewed_on=reviewed_on,
            note=note,
            published_by=user,
            document=document,
        )
        index_edition(edition, EditionFigure, EditionSegment)
        index_estimates(edition, EditionEstimate)
        return edition


def submit(report, user, *, note, reviewed_on, correction=False, go_live_at=None):
    """Put ``report``'s working copy forward as its next edition; published at once
    when review is off. Refused while its checks have errors, or while another
    submission of it waits."""
    errors = [c.message for c in report.checks() if c.level == forecast.ERROR]
    if errors:
        raise gate.PublishRefused(
            "The working copy has contradicting numbers; fix these before submitting: %(errors)s",
            code="publish-gate",
            params={"errors": " ".join(errors)},
        )
    with transaction.atomic():
        if report.submissions.filter(state=Submission.State.PENDING).exists():
            raise gate.PublishRefused("This report already waits for review.")
        submission = Submission.objects.create(
            report=report, note=note, reviewed_on=reviewed_on, correction=correction,
            go_live_at=go_live_at, submitted_by=user,
        )  # fmt: skip
        _audit(user, AuditEvent.Action.SUBMITTED, submission, note)
    if not settings.EDITIONS_REVIEW:
        return approve(submission, user)
    return submission


def may_approve(submission, user):
    """Whether ``user`` may publish ``submission``: a Publisher who did not submit it,
    a superuser, or anyone who may edit when review is off."""
    if user.is_superuser or not settings.EDITIONS_REVIEW:
        return True
    return user.has_perm(PUBLISH_PERMISSION) and user.pk != submission.submitted_by_id


def approve(submission, user):
    """Publish ``submission`` as the report's next edition (or correction)."""
    if not may_approve(submission, user):
        raise PermissionDenied(
            "Only a member of the Publishers group other than the editor who submitted "
            "it may publish this edition."
        )
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.state != Submission.State.PENDING:
            raise gate.PublishRefused("This submission was already decided.")
        edition = publish(
            submission.report, note=submission.note, reviewed_on=submission.reviewed_on,
            user=user, correction=submission.correction, at=submission.go_live_at,
        )  # fmt: skip
        _decide(submission, user, Submission.State.PUBLISHED, edition=edition)
        how = ""
        if user.pk == submission.submitted_by_id and settings.EDITIONS_REVIEW:
            how = " Published directly by a superuser, without a second person's review."
        detail = (
            f"Edition {edition.label}, public from {edition.published_at:%Y-%m-%d %H:%M} UTC; "
            f"submitted by {submission.submitted_by or 'a removed account'}.{how}"
        )
        _audit(user, AuditEvent.Action.EDITION, submission, detail)
    return edition


def send_back(submission, user, comment):
    """Return ``submission`` to its editor with ``comment``, unpublished."""
    if not may_approve(submission, user) and user.pk != submission.submitted_by_id:
        raise PermissionDenied("Only a member of the Publishers group may send this back.")
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if submission.state != Submission.State.PENDING:
            raise gate.PublishRefused("This submission was already decided.")
        submission.comment = comment
        _decide(submission, user, Submission.State.SENT_BACK)
        _audit(user, AuditEvent.Action.SENT_BACK, submission, comment)
    return submission


def _decide(submission, user, state, edition=None):
    submission.state, submission.decided_by, submission.edition = state, user, edition
    submission.decided_at = timezone.now()
    submission.save()


def _audit(user, action, submission, detail):
    AuditEvent.objects.create(
        user=user, action=action, subject=str(submission.report), detail=detail
    )


SHARE_SALT = "market.share-link"


def share(report, user):
    """A new preview link for ``report``: (ShareLink, its signed token)."""
    days = settings.SHARE_LINK_DAYS
    link = ShareLink.objects.create(
        report=report, created_by=user, expires_at=timezone.now() + timedelta(days=days)
    )
    AuditEvent.objects.create(
        user=user, action=AuditEvent.Action.SHARED, subject=str(report),
        detail=f"Preview link {link.pk}, valid until {link.expires_at:%Y-%m-%d %H:%M} UTC.",
    )  # fmt: skip
    return link, share_token(link)


def share_token(link):
    return signing.dumps(link.pk, salt=SHARE_SALT, compress=True)


def shared_link(token):
    """The active ShareLink ``token`` names, or None (altered, expired or revoked)."""
    try:
        pk = signing.loads(token, salt=SHARE_SALT, max_age=timedelta(days=settings.SHARE_LINK_DAYS))
    except signing.BadSignature:
        return None
    link = ShareLink.objects.filter(pk=pk).select_related("report").first()
    return link if link and link.is_active else None


def revoke(link, user):
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), user
        link.save()
        AuditEvent.objects.create(
            user=user, action=AuditEvent.Action.SHARE_REVOKED, subject=str(link.report),
            detail=f"Preview link {link.pk}, made by {link.created_by or 'a removed account'} "
            f"on {link.created_at:%Y-%m-%d}.",
        )  # fmt: skip


def may_change_visibility(user):
    """Whether ``user`` may reschedule or withdraw editions: a Publisher, a superuser,
    or any editor when review is off."""
    return user.is_superuser or not settings.EDITIONS_REVIEW or user.has_perm(PUBLISH_PERMISSION)


def reschedule(edition, user, at):
    """Move a scheduled edition's go-live time to ``at``."""
    _may_change(user)
    if edition.published_at <= timezone.now():
        raise gate.PublishRefused("This edition is already public; withdraw it instead.")
    at = at.replace(microsecond=0)
    _set_visibility(edition, user, AuditEvent.Action.RESCHEDULED, "published_at", at)


def withdraw(edition, user, at=None):
    """Take a public (or scheduled) edition off the site at ``at`` (now by default)."""
    _may_change(user)
    at = (at or timezone.now()).replace(microsecond=0)
    _set_visibility(edition, user, AuditEvent.Action.WITHDRAWN, "withdrawn_at", at)


def _may_change(user):
    if not may_change_visibility(user):
        raise PermissionDenied("Only a member of the Publishers group may change this.")


def _set_visibility(edition, user, action, field, at):
    """Change who can see ``edition`` (the one write an edition takes after it is made:
    its document never changes), with the before and after in the audit log."""
    with transaction.atomic():
        before = getattr(Edition.objects.select_for_update().get(pk=edition.pk), field)
        Edition.objects.filter(pk=edition.pk).update(**{field: at})
        what = "go-live time" if field == "published_at" else "withdrawal time"
        was = f"{before:%Y-%m-%d %H:%M} UTC" if before else "none"
        AuditEvent.objects.create(
            user=user, action=action, subject=str(edition.report),
            detail=f"Edition {edition.label}: {what} from {was} to {at:%Y-%m-%d %H:%M} UTC.",
        )  # fmt: skip
        cache.content_changed(edition.report.changed_keys())
    setattr(edition, field, at)
