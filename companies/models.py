"""Companies, and their ranked place in a report's "top companies" list."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse

from gtmp_site.core.fields import HttpsURLField, ProseField
from gtmp_site.core.models import ContentModel, DatedEvent
from gtmp_site.core.querysets import PublishedQuerySet
from market import placeholders
from market.models import (
    EDITION_NOTE,
    MAX_YEAR,
    MIN_YEAR,
    OfReportQuerySet,
    Report,
    Segment,
    report_hidden_because,
)

FOUNDED_MIN_YEAR = 1800


class CompanyQuerySet(PublishedQuerySet):
    def published(self):
        """Companies a public report names: in its list of top companies, or as
        working in one of its segments. A company added for a draft report stays
        hidden until the report is published."""
        return self.filter(
            Exists(ReportCompany.objects.published().filter(company=OuterRef("pk")))
            | Exists(Segment.objects.published().filter(companies=OuterRef("pk")))
        )

    def with_segments(self, user=None):
        """Companies with the segments a reader may see, and their reports: the public's
        segments, or with ``user`` those the user may see (editors see drafts'); and
        their history, which their status summary reads."""
        segments = Segment.objects.published() if user is None else Segment.objects.visible_to(user)
        return self.prefetch_related(
            Prefetch("segments", segments.select_related("report")), "events"
        )

    def with_therapies(self, user=None):
        """Companies with the approved therapies they won or hold, as a reader may see
        them (the public's, or with ``user`` what the user may see). Reached through
        their relations: the therapies app sits above this one and is not imported."""
        therapy = self.model._meta.get_field("therapies_held").related_model
        therapies = (
            therapy.objects.published() if user is None else therapy.objects.visible_to(user)
        )
        therapies = therapies.select_related("segment", "sponsor", "holder")
        return self.prefetch_related(
            Prefetch("therapies_held", therapies), Prefetch("therapies_sponsored", therapies)
        )


class Company(ContentModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ACQUIRED = "acquired", "Acquired"
        MERGED = "merged", "Merged"
        REVERSE_MERGED = "reverse-merged", "Reverse merger"
        RENAMED = "renamed", "Renamed"
        DEFUNCT = "defunct", "Defunct"

    # Statuses that say the company lives on under another name or owner.
    STATUSES_WITH_SUCCESSOR = (
        Status.ACQUIRED, Status.MERGED, Status.REVERSE_MERGED, Status.RENAMED,
    )  # fmt: skip

    name = models.CharField(max_length=200, help_text="The name the report lists it under.")
    slug = models.SlugField(
        max_length=200, unique=True, help_text="Public identifier: /companies/this-slug/."
    )
    legal_name = models.CharField(max_length=200, blank=True, help_text="Registered name.")
    website = HttpsURLField(blank=True, help_text="The company's own site.")
    headquarters = models.CharField(max_length=200, blank=True, help_text="City and state.")
    founded_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Leave empty when sources disagree."
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.ACTIVE,
        help_text="What has become of the company.",
    )
    successor = models.CharField(
        "successor or acquirer",
        max_length=200,
        blank=True,
        help_text="Who acquired it, or its new name. Required when acquired, merged or renamed.",
    )
    status_year = models.PositiveSmallIntegerField(
        "year of the change",
        null=True,
        blank=True,
        help_text="Year it was acquired, merged, renamed or closed.",
    )
    profile = ProseField(blank=True, help_text="Markdown. What the company does.")
    segments = models.ManyToManyField(
        Segment, blank=True, related_name="companies", help_text="Segments it works in."
    )
    facts_source = ProseField(
        blank=True, help_text="Where the facts above come from: one address per line."
    )

    _history_m2m_fields = ["segments"]
    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True)
                | Q(founded_year__gte=FOUNDED_MIN_YEAR, founded_year__lte=MAX_YEAR),
                name="company_founded_year_in_range",
                violation_error_message=(
                    f"The founding year must lie between {FOUNDED_MIN_YEAR} and {MAX_YEAR}."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status_year__isnull=True)
                | Q(status_year__gte=MIN_YEAR, status_year__lte=MAX_YEAR),
                name="company_status_year_in_range",
                violation_error_message=(
                    f"The year of the change must lie between {MIN_YEAR} and {MAX_YEAR}."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("companies:detail", kwargs={"slug": self.slug})

    def hidden_because(self):
        return (
            "No public report names it, so its page, the directory and the API leave it "
            "out. Choose its segments below (in a published report), or list it among a "
            "published report's top companies."
        )

    def clean(self):
        errors = {}
        if self.status in self.STATUSES_WITH_SUCCESSOR and not self.successor:
            errors["successor"] = (
                f"Name the successor or acquirer of a company marked "
                f"'{self.get_status_display().lower()}'."
            )
        if self.status == self.Status.ACTIVE and self.status_year:
            errors["status_year"] = "An active company has no year of change; leave it empty."
        if self.founded_year and self.status_year and self.status_year < self.founded_year:
            errors["status_year"] = (
                f"The change ({self.status_year}) cannot come before the founding "
                f"({self.founded_year})."
            )
        if errors:
            raise ValidationError(errors)
        placeholders.refuse_without_report(profile=self.profile)

    @property
    def products(self):
        """Approved therapies it won or holds, by approval date (no query after
        ``with_therapies()``)."""
        therapies = {*self.therapies_held.all(), *self.therapies_sponsored.all()}
        return sorted(therapies, key=lambda t: (t.approved_on, t.brand_name))

    @property
    def independent(self):
        """Whether it still exists on its own (a renamed company is the same company)."""
        return self.status in (self.Status.ACTIVE, self.Status.RENAMED)

    @property
    def status_summary(self):
        """Plain words for the current status, e.g. 'Acquired by Roche, 2019', and
        what became of the successor since, from the company's history:
        'Reverse merger into Eiger BioPharmaceuticals, 2016; successor dissolved, 2024'."""
        if self.status == self.Status.ACTIVE:
            return "Active"
        text = {
            self.Status.ACQUIRED: "Acquired by {}",
            self.Status.MERGED: "Merged into {}",
            self.Status.REVERSE_MERGED: "Reverse merger into {}",
            self.Status.RENAMED: "Renamed {}",
        }.get(self.status, self.get_status_display())
        text = text.format(self.successor) if "{}" in text else text
        text = f"{text}, {self.status_year}" if self.status_year else text
        if self.pk and self.status in self.STATUSES_WITH_SUCCESSOR:
            ends = [e for e in self.events.all() if e.kind == CompanyEvent.Kind.DISSOLVED]
            if ends and (not self.status_year or ends[-1].year >= self.status_year):
                text += f"; successor dissolved, {ends[-1].year}"
        return text


class ReportCompany(ContentModel):
    """A company's rank in a report's list of top companies."""

    public_note = EDITION_NOTE
    hidden_because = report_hidden_because

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="top_companies")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="listings")
    position = models.PositiveSmallIntegerField(default=0, help_text="1 is listed first.")

    objects = OfReportQuerySet.as_manager()

    class Meta:
        ordering = ["report", "position", "pk"]
        verbose_name = "top company"
        verbose_name_plural = "top companies"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "company"],
                name="company_listed_once_per_report",
                violation_error_message="This company is already in the report's list.",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.company}"


class CompanyEvent(DatedEvent):
    """A dated step in a company's history, with its source: founded, listed,
    acquired, merged, renamed, dissolved."""

    class Kind(models.TextChoices):
        FOUNDED = "founded", "Founded"
        LISTED = "listed", "Listed on a stock exchange"
        ACQUIRED = "acquired", "Acquired"
        MERGED = "merged", "Merged"
        REVERSE_MERGED = "reverse-merged", "Reverse merger"
        RENAMED = "renamed", "Renamed"
        DELISTED = "delisted", "Delisted"
        DISSOLVED = "dissolved", "Dissolved or liquidated"
        OTHER = "other", "Other"

    SUBJECT = "company"
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind, help_text="What happened.")

    class Meta:
        ordering = ["company", *DatedEvent.ORDERING]
        verbose_name = "history event"
        constraints = DatedEvent.date_constraints("company_event", FOUNDED_MIN_YEAR, MAX_YEAR)
