"""Gene therapies approved in the United States: the products behind the report's
segments, each with the company that won the approval and the one that holds it now."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from companies.models import Company
from gtmp_site.core.fields import ProseField
from gtmp_site.core.models import CheckedFact, ContentModel, DatedEvent
from gtmp_site.core.querysets import PublishedQuerySet
from market.models import MAX_YEAR, Report, Segment

FIRST_APPROVAL = 1990  # the first US gene therapy trial; no product was approved before it


class TherapyQuerySet(PublishedQuerySet):
    def published(self):
        """Public while the report its segment belongs to is."""
        return self.filter(segment__report__in=Report.objects.published())

    def for_list(self):
        return self.select_related("segment__report", "sponsor", "holder").prefetch_related(
            "events"
        )


class Therapy(CheckedFact, ContentModel):
    class Modality(models.TextChoices):
        AAV = "aav", "AAV vector"
        LENTIVIRAL = "lentiviral", "Lentiviral, ex vivo"
        GAMMARETROVIRAL = "gammaretroviral", "Gamma-retroviral, ex vivo"
        CAR_T = "car-t", "CAR-T cells"
        ONCOLYTIC = "oncolytic", "Oncolytic virus"
        GENE_EDITED = "gene-edited", "Gene-edited cells"
        OTHER = "other", "Plasmid or other"

    class Status(models.TextChoices):
        MARKETED = "marketed", "Marketed"
        RESTRICTED = "restricted", "Marketed, use restricted"
        DISCONTINUED = "discontinued", "Discontinued by its holder"
        WITHDRAWN = "withdrawn", "Approval withdrawn"

    brand_name = models.CharField(max_length=100, unique=True, help_text="E.g. Luxturna.")
    slug = models.SlugField(max_length=100, unique=True, help_text="Public identifier.")
    proper_name = models.CharField(
        max_length=200, help_text="The nonproprietary name, e.g. voretigene neparvovec-rzyl."
    )
    segment = models.ForeignKey(
        Segment,
        on_delete=models.PROTECT,
        related_name="therapies",
        help_text="The report's application segment it counts under.",
    )
    modality = models.CharField(
        max_length=20, choices=Modality, help_text="How it delivers or edits the gene."
    )
    indication = models.CharField(max_length=300, help_text="What it is approved for, in a line.")
    approved_on = models.DateField(
        "first US approval", help_text="The day the FDA first approved it."
    )
    sponsor = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="therapies_sponsored",
        help_text="The company that held the application when it was approved.",
    )
    holder = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="therapies_held",
        help_text="The company that holds the product now (the sponsor, unless it passed on).",
    )
    status = models.CharField(
        max_length=20,
        choices=Status,
        default=Status.MARKETED,
        help_text="Whether it is still sold, and on what terms.",
    )
    notes = ProseField(
        blank=True,
        help_text=(
            "Markdown. What sets it apart. Dated changes (new indications, restrictions, "
            "sales) go under its events, each with a source."
        ),
    )
    sources = ProseField(help_text="Where these facts come from: one address per line.")

    objects = TherapyQuerySet.as_manager()

    class Meta:
        ordering = ["approved_on", "brand_name"]
        verbose_name_plural = "therapies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_on__year__gte=FIRST_APPROVAL),
                name="therapy_approved_after_first_trial",
                violation_error_message=f"No gene therapy was approved before {FIRST_APPROVAL}.",
            )
        ]

    def __str__(self):
        return self.brand_name

    def hidden_because(self):
        return f"Its segment's report “{self.segment.report}” is not public yet."

    def get_absolute_url(self):
        return f"{reverse('therapies:list')}#{self.slug}"

    def clean(self):
        if self.status == self.Status.WITHDRAWN and not self.notes:
            raise ValidationError({"notes": "Say why the approval was withdrawn."})

    @property
    def source_urls(self):
        return [line.strip() for line in self.sources.splitlines() if line.strip()]

    @property
    def changed_hands(self):
        return self.sponsor_id != self.holder_id


class TherapyEvent(DatedEvent):
    """A dated change to an approved product, with its source: a new indication,
    a label change, a pause in supply, a sale, the end of its sale."""

    class Kind(models.TextChoices):
        INDICATION = "indication", "New indication"
        LABEL = "label", "Label changed"
        SUPPLY = "supply", "Supply paused or resumed"
        SOLD = "sold", "Sold or to be sold"
        DISCONTINUED = "discontinued", "Discontinued"
        REVIEW = "review", "Review step"
        OTHER = "other", "Other"

    SUBJECT = "therapy"
    therapy = models.ForeignKey(Therapy, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind, help_text="What happened.")

    class Meta:
        ordering = ["therapy", *DatedEvent.ORDERING]
        verbose_name = "product event"
        constraints = DatedEvent.date_constraints("therapy_event", FIRST_APPROVAL, MAX_YEAR)
