"""Reports and the content that hangs off them.

Business rules sit here twice on purpose: as database constraints, so no
path (admin, API, shell, import) can store bad data, and in ``clean()`` with
messages an editor understands, so forms show the error next to the field.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from itertools import chain

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gtmp_site.core import shown
from gtmp_site.core.fields import HttpsURLField, ProseField
from gtmp_site.core.gate import refuse_publication
from gtmp_site.core.models import CheckedFact, ContentModel, latest_change
from gtmp_site.core.querysets import PublishedQuerySet
from market import forecast, placeholders


@dataclass(frozen=True)
class TextCheck(forecast.Check):
    """A check of one prose field: ``field`` of ``row`` (a report, segment, section
    or question), so the editor can be taken to it."""

    row: object = None
    field: str = ""


# Years a market report can sensibly speak about.
MIN_YEAR = 1990
MAX_YEAR = 2100
# The licences editors may choose for a report's data: SPDX identifier -> (name, URL).
DATA_LICENCES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution Share Alike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": (
        "Creative Commons Zero v1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License v1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
    ),
    "PDDL-1.0": (
        "Open Data Commons Public Domain Dedication & License 1.0",
        "https://opendatacommons.org/licenses/pddl/1-0/",
    ),
}
# A stated compound annual growth rate outside this band is a typing mistake.
MIN_CAGR = Decimal("-50")
MAX_CAGR = Decimal("200")

year_validators = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]


def year_in_range(field):
    return Q(**{f"{field}__gte": MIN_YEAR, f"{field}__lte": MAX_YEAR})


class Region(ContentModel):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = ProseField(
        blank=True, help_text="Markdown. What the region covers in the reports that use it."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Country(ContentModel):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="countries")
    name = models.CharField(max_length=100)
    code = models.CharField(
        max_length=2,
        help_text="ISO 3166-1 alpha-2 code in capitals, e.g. US.",
        validators=[RegexValidator(r"^[A-Z]{2}\Z", message="Use two capital letters, e.g. US.")],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["region", "position", "name"]
        verbose_name_plural = "countries"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"],
                name="country_code_unique_per_region",
                violation_error_message="This country is already listed in the region.",
            ),
        ]

    def __str__(self):
        return self.name


class ReportQuerySet(PublishedQuerySet):
    def published(self):
        """Reports the public may see: published, with a publication date that has come."""
        return self.filter(status=Report.Status.PUBLISHED, published_at__lte=timezone.now())

    def with_edition(self):
        """Published reports with a public edition: the ones with a page."""
        editions = Edition.objects.public().filter(report=models.OuterRef("pk"))
        return self.published().filter(models.Exists(editions))

    def next_scheduled_publication(self):
        """When the next report or edition scheduled for later becomes public, or an
        edition stops being, or None: one query, since every cacheable response asks
        (gtmp_site/core/cache.py)."""
        now = timezone.now()
        reports = self.filter(status=Report.Status.PUBLISHED, published_at__gt=now)
        editions = Edition.objects.order_by()
        going = editions.filter(published_at__gt=now).values_list("published_at", flat=True)
        ending = editions.filter(withdrawn_at__gt=now).values_list("withdrawn_at", flat=True)
        first = (
            reports.order_by()
            .values_list("published_at", flat=True)
            .union(going, ending)
            .order_by("published_at")[:1]
        )
        return next(iter(first), None)

    def for_page(self):
        """Everything a report page or an API report shows, in a fixed number of queries:
        region and countries, segments with their approved therapies and the therapies'
        companies, sections, figures with their segments, the top companies, and the
        published questions.

        The count does not grow with the number of segments, figures, companies or
        questions (tests/test_pages.py pins it). The rows of other apps are reached
        through their relations, so market imports neither companies nor faq.
        """
        related = {name: self.model._meta.get_field(name).related_model
                   for name in ("top_companies", "questions")}  # fmt: skip
        therapy = Segment._meta.get_field("therapies").related_model
        listings = models.Count("top_companies", distinct=True)
        return (
            self.select_related("region")
            .annotate(listings_total=listings)
            .prefetch_related(
                "region__countries",
                "segments",
                "estimates",
                models.Prefetch(
                    "segments__therapies",
                    queryset=therapy.objects.select_related("sponsor", "holder").prefetch_related(
                        "events"
                    ),
                ),
                "sections",
                models.Prefetch("figures", queryset=MarketFigure.objects.select_related("segment")),
                # Only the listings the page shows, with what their lines read: the status
                # summary reads the history, and who holds the products of a company that is
                # no longer independent. The total is a count, so 1,000 listings cost as
                # little as 10.
                models.Prefetch(
                    "top_companies",
                    queryset=related["top_companies"]
                    .objects.select_related("company")
                    .prefetch_related(
                        "company__events",
                        models.Prefetch(
                            "company__therapies_sponsored",
                            queryset=therapy.objects.published().select_related("holder"),
                        ),
                    )[: self.model.TOP_COMPANIES_SHOWN],
                    to_attr="prefetched_listings",
                ),
                models.Prefetch("questions", queryset=related["questions"].objects.listed()),
            )
        )

    def with_segment_companies(self):
        """Also each segment's companies, with the history their status reads: what a
        report's snapshot shows on its segment pages (two queries more)."""
        return self.prefetch_related("segments__companies__events")


# What the change form of a report, or of a row its edition holds, says when public.
EDITION_NOTE = (
    "Public now. Readers see the report's latest edition: a change here shows once the "
    "next edition is published."
)


def report_hidden_because(row):
    return f"Its report “{row.report}” is not public yet; publish the report first."


class Report(ContentModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Unit(models.TextChoices):
        MILLION = "million", "million"
        BILLION = "billion", "billion"

    public_note = EDITION_NOTE

    title = models.CharField(max_length=200, help_text="The report's full title.")
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the report's address: /reports/this-slug/.",
    )
    summary = ProseField(
        help_text="Markdown. Two or three sentences shown at the top of the page and in search "
        "results."
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="reports", null=True, blank=True
    )
    currency = models.CharField(
        max_length=3, default="USD", help_text="ISO 4217 code of every figure's currency."
    )
    unit = models.CharField(
        max_length=10,
        choices=Unit.choices,
        default=Unit.BILLION,
        help_text="Every market figure of this report is in this unit of the currency.",
    )
    base_year = models.PositiveSmallIntegerField(
        validators=year_validators, help_text="The year of the reference market size."
    )
    forecast_start_year = models.PositiveSmallIntegerField(
        validators=year_validators, help_text="First year of the forecast period."
    )
    forecast_end_year = models.PositiveSmallIntegerField(
        validators=year_validators, help_text="Last year of the forecast period."
    )
    stated_cagr = models.DecimalField(
        "stated CAGR (%)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_CAGR), MaxValueValidator(MAX_CAGR)],
        help_text="Compound annual growth rate the source states for the forecast period, "
        "in percent (17.50 means 17.50 % a year). Leave empty if none is stated.",
    )
    methodology = ProseField(
        blank=True, help_text="Markdown. How the figures were made and what they cover."
    )
    data_licence = models.CharField(
        max_length=20,
        choices=[(spdx, f"{name} ({spdx})") for spdx, (name, _url) in DATA_LICENCES.items()],
        default="CC-BY-4.0",
        help_text="The terms on which readers may reuse the report's data: shown on its "
        "pages, in the API and in every download.",
    )
    sources = ProseField(
        blank=True, help_text="Markdown. The publications the report's facts come from."
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Drafts are never public; published reports are, from their publication date.",
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The report is public once it is published and this moment has come.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(forecast_start_year__lte=models.F("forecast_end_year")),
                name="report_forecast_start_not_after_end",
                violation_error_message="The forecast period must start no later than it ends.",
            ),
            models.CheckConstraint(
                condition=year_in_range("base_year")
                & year_in_range("forecast_start_year")
                & year_in_range("forecast_end_year"),
                name="report_years_in_range",
                violation_error_message=f"Years must lie between {MIN_YEAR} and {MAX_YEAR}.",
            ),
            models.CheckConstraint(
                condition=Q(stated_cagr__isnull=True)
                | Q(stated_cagr__gte=MIN_CAGR, stated_cagr__lte=MAX_CAGR),
                name="report_stated_cagr_in_range",
                violation_error_message=f"A CAGR must lie between {MIN_CAGR} % and {MAX_CAGR} %.",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="report_published_has_date",
                violation_error_message="A published report needs a publication date.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Publishing without a date means "now", also for saves that skip clean().
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now().replace(microsecond=0)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("market:report", kwargs={"slug": self.slug})

    def get_preview_url(self):
        return reverse("market:preview", kwargs={"slug": self.slug})

    def hidden_because(self):
        """Why readers cannot see the report, and what would let them."""
        if self.status == self.Status.DRAFT:
            return "It is a draft: set its status to Published, then publish an edition."
        if self.published_at and self.published_at > timezone.now():
            return f"It goes public on {timezone.localtime(self.published_at):%-d %B %Y, %H:%M}."
        return "It has no publication date yet."

    @property
    def is_public(self):
        return type(self).objects.published().filter(pk=self.pk).exists()

    def publication_errors(self, figures=None):
        """Why this report may not be public: the messages of its error-level checks,
        when it is published or scheduled (``[]`` for a draft).

        ``figures`` replaces the saved figures, to judge a change before saving it.
        """
        if self.status != self.Status.PUBLISHED or self.pk is None:
            return []
        checks = self.checks(figures)
        if figures is None:
            self._judged_checks = checks
        return [c.message for c in checks if c.level == forecast.ERROR]

    def checks_as_judged(self):
        """The checks the last ``publication_errors()`` of this instance found on the
        saved figures (the publish gate's, on a report it read back), else fresh ones."""
        if hasattr(self, "_judged_checks"):
            return self._judged_checks
        return self.checks()

    @cached_property
    def facts(self):
        """What placeholders in this report's prose are filled from (its forecast)."""
        return placeholders.Facts(self, self.forecast())

    def prose_fields(self, segments=None):
        """(where, row, field name) of every piece of prose the report page shows;
        ``segments`` are the report's, when already read."""
        if segments is None:
            segments = self.segments.all()
        return [
            ("Summary", self, "summary"),
            ("Methodology", self, "methodology"),
            ("Sources", self, "sources"),
            *(
                (f"Segment “{s.name}”, {field}", s, field)
                for s in segments
                for field in ("overview", "outlook")
            ),
            *((f"Section “{s.title}”", s, "body") for s in self.sections.all()),
            *((f"Question “{q.question}”", q, "answer") for q in self.questions.all()),
        ]

    def prose(self, segments=None):
        """(where, text) of every piece of prose the report page shows."""
        return [(where, getattr(row, field)) for where, row, field in self.prose_fields(segments)]

    def checks(self, figures=None):
        """The forecast's consistency checks, then the prose's: placeholders that cannot
        be filled (errors) and numbers typed by hand (warnings), each a ``TextCheck``
        that names the field it is about."""
        result = self.forecast(figures)  # not self.facts: the figures may just have changed
        facts = placeholders.Facts(self, result)
        errors, warnings = [], []
        for where, row, field in self.prose_fields(facts.segments):
            found = placeholders.problems(getattr(row, field), facts, where)
            errors += (TextCheck(forecast.ERROR, "placeholder", m, row, field) for m in found[0])
            warnings += (
                TextCheck(forecast.WARNING, "typed-number", m, row, field) for m in found[1]
            )
        return (*result.checks, *errors, *warnings)

    def clean(self):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now().replace(microsecond=0)  # "publish now"
        start, end = self.forecast_start_year, self.forecast_end_year
        if start is not None and end is not None and start > end:
            # First: a period that runs backwards also leaves the placeholders that
            # name it unfillable, and the gate below would report only those.
            message = f"The forecast period ends before it starts ({start} to {end})."
            raise ValidationError({"forecast_end_year": message})
        if not getattr(self, "checked_with_its_figures", False):
            refuse_publication(self.publication_errors(), field="status")

    def forecast(self, figures=None):
        """The report's yearly series, implied CAGR and checks (market.forecast.Forecast).

        One query, none with ``figures__segment`` prefetched. ``figures`` (unsaved
        ones included) replaces the saved figures.
        """
        if figures is None:
            prefetched = "figures" in getattr(self, "_prefetched_objects_cache", {})
            figures = self.figures.all() if prefetched else self.figures.select_related("segment")
        figures = sorted(
            figures,
            key=lambda f: (f.segment.position if f.segment_id else -1, f.year),
        )
        return forecast.build_forecast(
            forecast.ReportFigures(
                base_year=self.base_year,
                forecast_start_year=self.forecast_start_year,
                forecast_end_year=self.forecast_end_year,
                stated_cagr=self.stated_cagr,
                figures=tuple(
                    forecast.Figure(
                        year=f.year,
                        # As saved: an unsaved figure is judged with the digits it will have.
                        value=f.value
                        if f.value is None
                        else Decimal(f.value).quantize(forecast.VALUE_QUANTUM),
                        kind=f.kind,
                        source=f.source,
                        segment=f.segment.name if f.segment_id else None,
                    )
                    for f in figures
                ),
                segments=tuple(dict.fromkeys(f.segment.name for f in figures if f.segment_id)),
            )
        )

    # The report page lists this many top companies; the directory has the rest,
    # so the page's size and cost stay flat however many there are.
    TOP_COMPANIES_SHOWN = 10

    def checked_facts(self, listings=None):
        """(kind, row) of each fact with a source the report shows: its figures and
        estimates, its segments' approvals and their events, and the history of the companies in
        ``listings`` (default: those the page shows)."""
        if listings is None:
            listings = self.shown_listings()
        therapies = [t for s in self.segments.all() for t in s.therapies.all()]
        return [
            *(("Figure", f) for f in self.figures.all()),
            *(("Estimate", e) for e in self.estimates.all()),
            *(("Approval", t) for t in therapies),
            *(("Product event", e) for t in therapies for e in t.events.all()),
            *(("Company event", e) for listing in listings for e in listing.company.events.all()),
        ]

    def facts_checked(self):
        """{"latest_on", "oldest_on"}: the dates the report's facts were last checked on,
        the newest and the oldest, or None when none has a date."""
        dates = [row.checked_on for _, row in self.checked_facts() if row.checked_on]
        if not dates:
            return None
        return {"latest_on": max(dates), "oldest_on": min(dates)}

    def stale_facts(self, today=None):
        """(kind, row) of every fact of the report, its listed companies' included,
        not checked within ``settings.FACTS_STALE_AFTER_DAYS`` (or never)."""
        limit = (today or timezone.localdate()) - timedelta(days=settings.FACTS_STALE_AFTER_DAYS)
        listings = self.top_companies.select_related("company").prefetch_related("company__events")
        return [
            (kind, row)
            for kind, row in self.checked_facts(listings)
            if row.checked_on is None or row.checked_on < limit
        ]

    def shown_listings(self):
        """The first ``TOP_COMPANIES_SHOWN`` listings (no query after ``for_page()``)."""
        if hasattr(self, "prefetched_listings"):
            return self.prefetched_listings
        return list(self.top_companies.select_related("company")[: self.TOP_COMPANIES_SHOWN])

    @property
    def listed_count(self):
        """How many companies the report lists (no query after ``for_page()``)."""
        if hasattr(self, "listings_total"):
            return self.listings_total
        return self.top_companies.count()

    def last_changed(self):
        """When anything a reader of the report sees last changed: the latest save
        of the report or of any row fetched with it (``for_page()``: segments and
        their therapies and companies, figures, sections, estimates, questions, the
        listings shown with their companies and histories). A row removed moves
        nothing here; the ETag catches it. Costs no query after ``for_page()``."""
        return latest_change(self, *self.shown_listings())

    @property
    def value_label(self):
        """Unit label for figures, e.g. 'USD billion'."""
        return f"{self.currency} {self.unit}"

    @property
    def licence(self):
        """{"id": SPDX identifier, "name", "url"} of the data licence."""
        name, url = DATA_LICENCES[self.data_licence]
        return {"id": self.data_licence, "name": name, "url": url}

    def amount_text(self, value):
        """A market size with its currency and unit: 'USD 4.00 billion'."""
        return f"{self.currency} {forecast.value_text(value)} {self.unit}"


class OfReportQuerySet(PublishedQuerySet):
    """Rows that belong to a report: public while their report is."""

    def published(self):
        return self.filter(report__in=Report.objects.published())


class Segment(ContentModel):
    """An application area of a report, such as Cancer or Monogenic."""

    public_note = EDITION_NOTE
    hidden_because = report_hidden_because

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(max_length=100, help_text="The segment's name, e.g. Cancer.")
    slug = models.SlugField(max_length=100, help_text="Unique within the report.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the report page.")
    overview = ProseField(blank=True, help_text="Markdown. What the segment covers.")
    outlook = ProseField(
        "challenges and outlook", blank=True, help_text="Markdown. Obstacles and prospects."
    )

    objects = OfReportQuerySet.as_manager()

    class Meta:
        ordering = ["report", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "slug"],
                name="segment_slug_unique_per_report",
                violation_error_message="Another segment of this report already uses this slug.",
            ),
            models.UniqueConstraint(
                fields=["report", "name"],
                name="segment_name_unique_per_report",
                violation_error_message="Another segment of this report already has this name.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "market:segment", kwargs={"report_slug": self.report.slug, "slug": self.slug}
        )

    def deletion_errors(self):
        """What deleting this segment, and its figures with it, would break in its
        published report (the publish gate)."""
        figures = self.report.figures.select_related("segment").exclude(segment=self)
        return _new_publication_errors(self.report, list(figures))


class MarketFigure(CheckedFact, ContentModel):
    """One market size in one year: for the whole market, or for one segment."""

    public_note = EDITION_NOTE
    hidden_because = report_hidden_because

    class Kind(models.TextChoices):
        ACTUAL = "actual", "Actual"
        ESTIMATE = "estimate", "Estimate"
        FORECAST = "forecast", "Forecast"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="figures")
    segment = models.ForeignKey(
        Segment,
        on_delete=models.CASCADE,
        related_name="figures",
        null=True,
        blank=True,
        help_text="Leave empty for the whole market.",
    )
    year = models.PositiveSmallIntegerField(
        validators=year_validators, help_text="The calendar year the value is for."
    )
    value = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="In the report's unit, e.g. 4.00 for USD 4.00 billion.",
    )
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        help_text="Actual (measured), estimate (of a past year) or forecast.",
    )
    source = models.CharField(
        max_length=200, help_text="Who published this figure, e.g. the original report's publisher."
    )
    source_url = HttpsURLField(
        blank=True, max_length=500, help_text="Where the source publishes the figure."
    )
    note = models.CharField(max_length=300, blank=True, help_text="Anything a reader should know.")

    objects = OfReportQuerySet.as_manager()

    class Meta:
        ordering = ["report", "segment__position", "year"]
        constraints = [
            # Two constraints because NULL segments never collide in a plain UNIQUE.
            models.UniqueConstraint(
                fields=["report", "year"],
                condition=Q(segment__isnull=True),
                name="figure_one_total_per_report_year",
                violation_error_message="The whole market already has a figure for this year.",
            ),
            models.UniqueConstraint(
                fields=["report", "segment", "year"],
                condition=Q(segment__isnull=False),
                name="figure_one_per_report_segment_year",
                violation_error_message="This segment already has a figure for this year.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="figure_value_not_negative",
                violation_error_message="A market size cannot be negative.",
            ),
            models.CheckConstraint(
                condition=year_in_range("year"),
                name="figure_year_in_range",
                violation_error_message=f"The year must lie between {MIN_YEAR} and {MAX_YEAR}.",
            ),
        ]

    def __str__(self):
        scope = self.segment.name if self.segment_id else "Whole market"
        return f"{scope} {self.year}: {self.value}"

    def clean(self):
        if self.segment_id and self.report_id and self.segment.report_id != self.report_id:
            raise ValidationError(
                {"segment": "This segment belongs to another report; pick one of this report's."}
            )
        if self.report_id and not getattr(self, "checked_with_its_figures", False):
            # Lazy: a draft's publication_errors() reads no figure.
            others = (f for f in self.report.figures.select_related("segment") if f.pk != self.pk)
            refuse_publication(self.report.publication_errors(chain(others, [self])))

    def deletion_errors(self):
        """What deleting this figure would break in its published report (the publish gate)."""
        figures = self.report.figures.select_related("segment").exclude(pk=self.pk)
        return _new_publication_errors(self.report, list(figures))


def _new_publication_errors(report, figures):
    """Errors the publish gate would find with ``figures`` that it does not find now."""
    before = set(report.publication_errors())
    return [e for e in report.publication_errors(figures) if e not in before]


class ReportSection(ContentModel):
    """A block of prose in a report: key trends, opportunities, and the like."""

    class Kind(models.TextChoices):
        OVERVIEW = "overview", "Overview"
        TRENDS = "trends", "Key trends"
        OPPORTUNITIES = "opportunities", "Opportunities"
        REGIONAL = "regional", "Regional analysis"
        OTHER = "other", "Other"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = ProseField(help_text="Markdown.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["report", "position", "pk"]

    def __str__(self):
        return self.title


class MarketEstimate(CheckedFact, ContentModel):
    """Another publisher's estimate of a related market, shown beside the report's
    own figures so a reader sees where its forecast sits. Values are in USD
    billion, as the publishers give them."""

    class Geography(models.TextChoices):
        US = "us", "United States"
        GLOBAL = "global", "Global"

    class Breadth(models.TextChoices):
        SAME = "same", "Gene therapy"
        WIDER = "wider", "Wider: cell and gene therapy, or gene-silencing drugs too"
        NARROWER = "narrower", "Narrower: one area, such as cancer or CAR-T"
        OTHER = "other", "Another measure: spending or research services"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="estimates")
    publisher = models.CharField(max_length=200, help_text="Who published the estimate.")
    scope = models.CharField(max_length=200, help_text="The market as the publisher names it.")
    geography = models.CharField(max_length=10, choices=Geography, help_text="Where it counts.")
    breadth = models.CharField(
        max_length=10, choices=Breadth, help_text="What it counts, against this report's market."
    )
    base_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=year_validators, help_text="Year of the first value."
    )
    base_value = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True,
        help_text="Market size in the base year, USD billion.",
    )  # fmt: skip
    forecast_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=year_validators, help_text="Year of the forecast."
    )
    forecast_value = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True,
        help_text="Forecast market size, USD billion.",
    )  # fmt: skip
    cagr = models.DecimalField(
        "CAGR", max_digits=5, decimal_places=2, null=True, blank=True,
        help_text="Growth a year the publisher states, in percent.",
    )  # fmt: skip
    cagr_period = models.CharField(
        "CAGR period", max_length=20, blank=True, help_text="E.g. 2024–2030."
    )
    notes = models.CharField(max_length=300, blank=True, help_text="What to bear in mind.")
    source_url = HttpsURLField(max_length=500, help_text="Where the estimate was published.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the table.")

    objects = OfReportQuerySet.as_manager()

    class Meta:
        ordering = ["report", "position", "pk"]

    def __str__(self):
        return f"{self.publisher}: {self.scope}"

    def clean(self):
        if self.base_year and self.forecast_year and self.forecast_year <= self.base_year:
            raise ValidationError({"forecast_year": "The forecast comes after the base year."})

    @property
    def scope_label(self):
        """'Global, wider: …' — where and what it counts, in a few words."""
        return f"{self.get_geography_display()}; {self.get_breadth_display().split(':')[0]}"


class AuditEvent(models.Model):
    """An editorial event worth a trail: publishing, unpublishing, bulk imports.

    Written by market/audit.py; shown read-only in the admin.
    """

    class Action(models.TextChoices):
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"
        IMPORTED = "imported", "Imported"
        SUBMITTED = "submitted", "Submitted for review"
        SENT_BACK = "sent-back", "Sent back"
        EDITION = "edition", "Published an edition"
        SHARED = "shared", "Shared a preview"
        SHARE_REVOKED = "share-revoked", "Revoked a preview link"
        RESCHEDULED = "rescheduled", "Rescheduled an edition"
        WITHDRAWN = "withdrawn", "Withdrew an edition"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    subject = models.CharField(max_length=200, help_text="What it happened to.")
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()}: {self.subject}"


# An edition's label in URLs and query parameters: "3", or "2.1" for a correction.
EDITION_LABEL = r"\d{1,6}(?:\.\d{1,6})?"


class ReadsEditionsQuerySet(models.QuerySet):
    def _fetch_all(self):
        # A response that reads editions depends on which reports have which: every
        # publish, reschedule and withdrawal changes the reports' model key
        # (editions.py), even for a list that found none (gtmp_site/core/shown.py).
        super()._fetch_all()
        shown.note({shown.key(Report)})


class EditionQuerySet(ReadsEditionsQuerySet):
    def newest(self):
        """The edition with the highest number and correction, or None."""
        return self.order_by("-number", "-correction").first()

    def labelled(self, label):
        """The editions labelled ``label`` ("3", "2.1"; matching EDITION_LABEL)."""
        number, _, correction = label.partition(".")
        return self.filter(number=int(number), correction=int(correction or 0))

    def public(self):
        """Editions whose go-live time has come and that are not withdrawn."""
        now = timezone.now()
        return self.filter(published_at__lte=now).exclude(withdrawn_at__lte=now)

    def on_site(self):
        """Public editions of the reports the public may see: what report pages show."""
        return self.public().filter(report__in=Report.objects.published())

    def current(self):
        """The newest of each report's editions in this queryset."""
        newest = self.filter(report=models.OuterRef("report")).order_by("-number", "-correction")
        return self.filter(pk=models.Subquery(newest.values("pk")[:1]))


class Edition(models.Model):
    """A report as it was published: its snapshot document (market/snapshot.py),
    numbered 1, 2, ... and corrections 2.1, 2.2. Never changed once made (see
    ``save``); market/editions.py makes them."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="editions")
    number = models.PositiveIntegerField(help_text="1, 2, 3: each new edition.")
    correction = models.PositiveIntegerField(
        default=0, help_text="0 for an edition; 1, 2 for its corrections (2.1, 2.2)."
    )
    published_at = models.DateTimeField(help_text="When the edition goes public.")
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When it stops being public; empty while it stays."
    )
    reviewed_on = models.DateField(help_text="When an editor last checked it against sources.")
    note = models.TextField(help_text="What changed, in a sentence or two.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    document = models.JSONField(help_text="What the report's pages show (market/snapshot.py).")

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["report", "-number", "-correction"]
        get_latest_by = ["number", "correction"]
        permissions = [("publish_edition", "Can publish an edition submitted by someone else")]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number", "correction"],
                name="edition_unique_number",
                violation_error_message="This report already has an edition of this number.",
            ),
        ]

    def __str__(self):
        return f"{self.report} · edition {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("A published edition cannot be changed; publish a new one.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("market:edition", args=[self.report.slug, self.label])

    @property
    def label(self):
        """'3', or '2.1' for a correction."""
        return f"{self.number}.{self.correction}" if self.correction else str(self.number)

    @property
    def is_first(self):
        return self.number == 1 and self.correction == 0

    def previous(self):
        """The public edition just before this one, or None."""
        earlier = Q(number__lt=self.number) | Q(number=self.number, correction__lt=self.correction)
        return Edition.objects.public().filter(earlier, report_id=self.report_id).newest()


def index_edition(edition, figure_model, segment_model):
    """Write ``edition``'s segments and figures (its document's) as rows of
    ``segment_model`` and ``figure_model`` (the models, or their historical versions
    in a migration). Documents before version 2 lack the API's fields: their figures
    are the forecast's entered points, and their prose is the readers' plain text."""
    document = edition.document
    base = {"edition": edition, "report_id": edition.report_id}
    prose = {p["where"]: p["text"] for p in document["prose"]}
    segments = [
        {"position": i, "overview": prose.get(f"Segment “{s['name']}”, overview", ""),
         "outlook": prose.get(f"Segment “{s['name']}”, outlook", ""), **s}
        for i, s in enumerate(document["segments"], start=1)
    ]  # fmt: skip
    segment_model.objects.bulk_create(
        segment_model(**base, segment_id=s.get("id"), slug=s["slug"], name=s["name"],
                      position=s["position"], overview=s["overview"], outlook=s["outlook"],
                      updated_at=s.get("updated_at"))
        for s in segments
    )  # fmt: skip
    slugs = {s["name"]: s["slug"] for s in segments}
    positions = {s["slug"]: s["position"] for s in segments}
    figures = document.get("figures")
    if figures is None:
        figures = [
            {"id": None, "segment": series["segment"] and slugs[series["segment"]],
             "year": point["year"], "value": point["value"], "kind": point["kind"],
             "source": point["source"], "source_url": "", "note": "", "updated_at": None}
            for series in document["forecast"]["series"]
            for point in series["points"] if point["method"] == "entered"
        ]  # fmt: skip
    figure_model.objects.bulk_create(
        figure_model(
            **base, figure_id=f["id"], segment=f["segment"] or "",
            segment_position=positions.get(f["segment"], 0), year=f["year"], value=f["value"],
            kind=f["kind"], source=f["source"], source_url=f["source_url"], note=f["note"],
            checked_on=f.get("checked_on"), updated_at=f["updated_at"],
        )
        for f in figures
    )  # fmt: skip


def index_estimates(edition, estimate_model):
    """Write ``edition``'s other estimates (its document's, in their order) as rows of
    ``estimate_model`` (the model, or its historical version in a migration). Rows
    from documents made before 2026-12-07 hold no id of the estimate."""
    own = {"id", "edition", "report", "estimate_id", "position"}
    fields = [field for field in estimate_model._meta.fields if field.name not in own]
    estimate_model.objects.bulk_create(
        estimate_model(edition=edition, report_id=edition.report_id, estimate_id=row.get("id"),
                       position=position,
                       # Documents before version 2 lack geography and breadth.
                       **{f.name: row.get(f.name, f.get_default()) for f in fields})
        for position, row in enumerate(edition.document["estimates"]["rows"], start=1)
    )  # fmt: skip


class EditionRow(models.Model):
    """A row of an edition's document, written with the edition (``index_edition``)
    and never changed, so the API filters, orders and pages an edition's rows as it
    does the working copy's."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="+")

    objects = ReadsEditionsQuerySet.as_manager()

    class Meta:
        abstract = True


class EditionSegment(EditionRow):
    """A segment as an edition published it."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="segments")
    segment_id = models.PositiveIntegerField(
        null=True, help_text="The working-copy segment it was published from."
    )
    slug = models.SlugField()
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    overview = models.TextField(blank=True)
    outlook = models.TextField(blank=True)
    updated_at = models.DateTimeField(null=True, help_text="When the segment was last changed.")

    class Meta:
        ordering = ["report", "position", "name"]

    def __str__(self):
        return f"{self.edition}: {self.name}"

    def get_absolute_url(self):
        return reverse(
            "market:segment", kwargs={"report_slug": self.report.slug, "slug": self.slug}
        )


class EditionFigure(EditionRow):
    """A market figure as an edition published it."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="figures")
    figure_id = models.PositiveIntegerField(
        null=True, help_text="The working-copy figure it was published from."
    )
    segment = models.SlugField(blank=True, help_text="The segment's slug; empty for the total.")
    segment_position = models.PositiveSmallIntegerField(default=0)
    year = models.PositiveSmallIntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=3)
    kind = models.CharField(max_length=10, choices=MarketFigure.Kind.choices)
    source = models.CharField(max_length=200)
    source_url = models.URLField(blank=True, max_length=500)
    note = models.CharField(max_length=300, blank=True)
    checked_on = models.DateField(null=True, help_text="When it was last checked.")
    updated_at = models.DateTimeField(null=True, help_text="When the figure was last changed.")

    class Meta:
        ordering = ["report", "segment_position", "year"]

    def __str__(self):
        return f"{self.edition}: {self.segment or 'total'} {self.year}"


class EditionEstimate(EditionRow):
    """Another publisher's estimate as an edition published it."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="estimates")
    estimate_id = models.PositiveIntegerField(
        null=True, help_text="The working-copy estimate it was published from."
    )
    publisher = models.CharField(max_length=200)
    scope = models.CharField(max_length=200)
    geography = models.CharField(max_length=10, choices=MarketEstimate.Geography)
    breadth = models.CharField(max_length=10, choices=MarketEstimate.Breadth)
    base_year = models.PositiveSmallIntegerField(null=True)
    base_value = models.DecimalField(max_digits=10, decimal_places=4, null=True)
    forecast_year = models.PositiveSmallIntegerField(null=True)
    forecast_value = models.DecimalField(max_digits=10, decimal_places=4, null=True)
    cagr = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    cagr_period = models.CharField(max_length=20, blank=True)
    notes = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=500)
    checked_on = models.DateField(null=True, help_text="When it was last checked.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["report", "position"]

    def __str__(self):
        return f"{self.edition}: {self.publisher}"


class Submission(models.Model):
    """A report's working copy put forward as its next edition, waiting for a
    second person (a Publisher) to publish it or send it back (market/editions.py)."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        PUBLISHED = "published", "Published"
        SENT_BACK = "sent-back", "Sent back"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="submissions")
    note = models.TextField(help_text="What changed since the last edition, for readers.")
    reviewed_on = models.DateField(
        help_text="When the facts were last checked against their sources."
    )
    correction = models.BooleanField(
        default=False,
        help_text="A correction of the latest edition (2.1, 2.2) rather than a new edition.",
    )
    go_live_at = models.DateTimeField(
        null=True, blank=True, help_text="When the edition goes public; empty for at once."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, help_text="Why it was sent back.")
    edition = models.OneToOneField(
        Edition, null=True, blank=True, on_delete=models.PROTECT, related_name="submission"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(state="pending"),
                name="submission_one_pending_per_report",
                violation_error_message="This report already waits for review.",
            ),
        ]

    def __str__(self):
        return f"{self.report}: {self.get_state_display().lower()}"


class ShareLink(models.Model):
    """Lets someone without an account read a report's preview (its working copy)
    until it expires or an editor revokes it. The link carries this row's id,
    signed (market/editions.py), so it cannot be guessed or altered."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="share_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Preview link for {self.report}, until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()
