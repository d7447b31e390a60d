"""API v1 for reports, segments, market figures and the forecast series."""

from urllib.parse import urlencode

from django.db.models import F, Prefetch
from django.utils.functional import cached_property
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.reverse import reverse

from gtmp_site.api.mixins import (
    CachedReadMixin,
    ContentViewSet,
    ModelRulesMixin,
    NullableSlugField,
    TaggedReadMixin,
    etag_for,
)
from gtmp_site.core.fields import ProseField
from market import forecast, placeholders
from market.edition_api import (
    EditionActionsMixin,
    EditionQuery,
    EditionSummarySerializer,
    day_end,
    edition_in_force,
    edition_parameters,
)
from market.filters import (
    EditionEstimateFilter,
    EditionFigureFilter,
    EditionSegmentFilter,
    EstimateFilter,
    MarketFigureFilter,
    ReportFilter,
    SegmentFilter,
)
from market.models import (
    Edition,
    EditionEstimate,
    EditionFigure,
    EditionSegment,
    MarketEstimate,
    MarketFigure,
    Region,
    Report,
    Segment,
)


class PageUrlField(serializers.SerializerMethodField):
    """Absolute address of the object's public page."""

    def __init__(self, **kwargs):
        super().__init__(help_text="The object's public page.", **kwargs)

    def to_representation(self, obj):
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


extend_schema_field({"type": "string", "format": "uri"})(PageUrlField)


class ReportSlugField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(
            slug_field="slug", queryset=Report.objects.all(), help_text="Report slug.", **kwargs
        )


class RenderedProseMixin:
    """Reads show prose with its placeholders filled from the report's current figures,
    as the pages do; writes take placeholders (``{{ size 2030 }}``) as typed."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for field in instance._meta.fields:
            text = data.get(field.name)
            if isinstance(field, ProseField) and text and "{{" in text:
                data[field.name] = placeholders.render(text, self._facts(instance))
        return data

    def _facts(self, instance):
        report = instance if isinstance(instance, Report) else instance.report
        if report is None:
            return None
        # One computation per report and response, however many rows show it.
        cache = self.context.setdefault("report_facts", {})
        if report.pk not in cache:
            cache[report.pk] = report.facts
        return cache[report.pk]


def report_warnings(report):
    """The warning-level checks of ``report``, as messages."""
    return [c.message for c in report.checks() if c.level == forecast.WARNING]


def with_write_warnings(serializer_class):
    """Schema of a write's answer: the object, plus the warnings of its report."""
    written = type(
        serializer_class.__name__.replace("Serializer", "WriteResultSerializer"),
        (serializer_class,),
        {
            "warnings": serializers.ListField(
                child=serializers.CharField(),
                read_only=True,
                help_text="What the report's consistency checks warn about after this write "
                "(errors refuse the write instead).",
            ),
            "Meta": type("Meta", (serializer_class.Meta,), {
                "fields": [*serializer_class.Meta.fields, "warnings"]}),
        },
    )  # fmt: skip
    return extend_schema_view(
        create=extend_schema(responses={201: written}),
        update=extend_schema(responses={200: written}),
        partial_update=extend_schema(responses={200: written}),
    )


class WriteWarningsMixin:
    """Answers each create and update with the report's warnings, as the admin shows
    them after a save."""

    def report_of(self, obj):
        return obj.report

    def create(self, request, *args, **kwargs):
        return self._with_warnings(super().create(request, *args, **kwargs))

    def update(self, request, *args, **kwargs):
        return self._with_warnings(super().update(request, *args, **kwargs))

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self.written = serializer.instance

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self.written = serializer.instance

    def perform_destroy(self, instance):
        errors = instance.deletion_errors() if hasattr(instance, "deletion_errors") else []
        if errors:
            raise serializers.ValidationError({"non_field_errors": errors})
        super().perform_destroy(instance)

    def _with_warnings(self, response):
        report = Report.objects.get(pk=self.report_of(self.written).pk)  # as saved, fresh
        response.data["warnings"] = report_warnings(report)
        return response


class EditionLabelMixin(serializers.Serializer):
    """The ``edition`` a representation is read from: null for the working copy
    (editors only), set by the edition serializers below."""

    edition = serializers.SerializerMethodField(
        help_text="The edition this is read from ('3', '2.1'): readers read the latest "
        "one, or the one `edition` or `as_of` names. Null: the working copy, which only "
        "editors read (and write)."
    )

    def get_edition(self, obj) -> str | None:
        return None


def pinned_url(serializer, view_name, pk, edition):
    """The API address of ``pk`` as ``edition`` published it."""
    if pk is None:  # a row deleted before editions kept their ids (migration 0014)
        return None
    url = reverse(view_name, args=[pk], request=serializer.context.get("request"))
    return f"{url}?{urlencode({'report': edition.report.slug, 'edition': edition.label})}"


class SegmentSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:segment-detail", help_text="The segment in the API."
    )

    class Meta:
        model = Segment
        fields = ["url", "slug", "name", "position"]


class FigureSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = MarketFigure
        fields = ["year", "value", "kind", "source"]


class ListingSerializer(serializers.Serializer):
    """A company's place in a report's top-companies list (companies.ReportCompany)."""

    position = serializers.IntegerField(read_only=True, help_text="1 is listed first.")
    slug = serializers.CharField(source="company.slug", read_only=True, help_text="Company slug.")
    name = serializers.CharField(source="company.name", read_only=True, help_text="Company name.")
    status = serializers.CharField(
        source="company.status_summary", read_only=True, help_text="Its status in words."
    )
    url = serializers.HyperlinkedRelatedField(
        source="company",
        view_name="api:company-detail",
        lookup_field="slug",
        read_only=True,
        help_text="The company in the API.",
    )


class EstimateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MarketEstimate
        fields = [
            "publisher", "scope", "geography", "breadth", "base_year", "base_value",
            "forecast_year", "forecast_value", "cagr", "cagr_period", "notes", "source_url",
            "checked_on",
        ]  # fmt: skip


class LicenceSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="SPDX identifier, e.g. CC-BY-4.0.")
    name = serializers.CharField(help_text="Its full name.")
    url = serializers.URLField(help_text="Where its terms are.")


class ReportSerializer(
    RenderedProseMixin, EditionLabelMixin, ModelRulesMixin, serializers.ModelSerializer
):
    url = serializers.HyperlinkedIdentityField(view_name="api:report-detail", lookup_field="slug")
    page_url = PageUrlField()
    forecast_url = serializers.HyperlinkedIdentityField(
        view_name="api:report-forecast",
        lookup_field="slug",
        help_text="The report's yearly series and checks.",
    )
    region = NullableSlugField(
        slug_field="slug",
        queryset=Region.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the region the report covers.",
    )
    segments = SegmentSummarySerializer(
        many=True, read_only=True, help_text="The report's segments, in page order."
    )
    headline_figures = serializers.SerializerMethodField(
        help_text="The whole-market figures editors entered (the forecast endpoint fills "
        "the years between)."
    )
    implied_cagr = serializers.SerializerMethodField(
        help_text="CAGR in percent that the figures imply (computed), over "
        "`implied_cagr_period` of the forecast endpoint."
    )
    top_companies = ListingSerializer(
        source="shown_listings",
        many=True,
        read_only=True,
        help_text="The first ten of the report's top companies, in its order; "
        "`top_companies_count` says how many there are, `top_companies_url` lists them all.",
    )
    top_companies_count = serializers.IntegerField(
        source="listed_count", read_only=True, help_text="How many companies the report lists."
    )
    top_companies_url = serializers.SerializerMethodField(
        help_text="All the companies the report lists, paginated (the companies endpoint "
        "filtered by this report)."
    )
    estimates = EstimateSerializer(
        many=True,
        read_only=True,
        help_text="Other publishers' estimates of related markets, labelled with their scope.",
    )
    licence = LicenceSerializer(read_only=True, help_text="The data licence, named in full.")
    latest_edition = serializers.SerializerMethodField(
        help_text="The edition readers see (its page, downloads and the forecast "
        "endpoint): this resource is the working copy editors change, which may be ahead "
        "of it. Null before the first edition."
    )
    last_changed = serializers.DateTimeField(
        read_only=True,
        help_text="When anything in the report last changed (its figures, segments, "
        "sections, questions or listed companies included); in an edition, when it was "
        "published. Also the Last-Modified header.",
    )

    class Meta:
        model = Report
        fields = [
            "url", "page_url", "forecast_url", "slug", "title", "summary", "region",
            "currency", "unit", "base_year", "forecast_start_year", "forecast_end_year",
            "stated_cagr", "implied_cagr", "headline_figures", "segments", "top_companies",
            "top_companies_count", "top_companies_url", "estimates", "methodology", "sources",
            "data_licence", "licence", "status", "published_at", "created_at", "updated_at",
            "last_changed", "latest_edition", "edition",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(FigureSummarySerializer(many=True))
    def get_headline_figures(self, report):
        figures = [f for f in report.figures.all() if f.segment_id is None]
        return FigureSummarySerializer(figures, many=True).data

    @extend_schema_field(EditionSummarySerializer(allow_null=True))
    def get_latest_edition(self, report):
        if hasattr(report, "public_editions"):  # prefetched by the viewset
            latest = next(iter(report.public_editions), None)
        else:  # just written
            latest = report.editions.public().newest()
        return latest and EditionSummarySerializer(latest, context=self.context).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_top_companies_url(self, report):
        url = reverse("api:company-list", request=self.context.get("request"))
        return f"{url}?{urlencode({'report': report.slug})}"

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_implied_cagr(self, report):
        implied = forecast.as_percent(report.forecast().implied_cagr)
        return None if implied is None else str(implied)


class ReportEditionSerializer(ReportSerializer):
    """The reader's form of a report: ReportSerializer's fields, read from the
    document and rows of ``report.shown_edition`` (set by the viewset)."""

    def to_representation(self, report):
        edition = report.shown_edition
        document, head = edition.document, edition.document["report"]
        request, fields = self.context["request"], self.fields
        pin = f"?{urlencode({'edition': edition.label})}"
        rows = list(edition.segments.all())
        listings = document["listings"][: head["companies_shown"]]
        return {
            "url": reverse("api:report-detail", args=[report.slug], request=request) + pin,
            "page_url": request.build_absolute_uri(head["url"]),
            "forecast_url": reverse("api:report-forecast", args=[report.slug], request=request)
            + pin,
            **{name: head[name] for name in (
                "slug", "title", "currency", "unit", "base_year", "forecast_start_year",
                "forecast_end_year")},
            "summary": head.get("summary"),  # in documents since version 2
            "region": head["region"] and head["region"].get("slug"),
            "stated_cagr": document["headline"]["stated_cagr"],
            "implied_cagr": document["headline"]["implied_cagr"],
            "headline_figures": FigureSummarySerializer(
                [f for f in edition.figures.all() if not f.segment], many=True
            ).data,
            "segments": [
                {"url": pinned_url(self, "api:segment-detail", row.segment_id, edition),
                 "slug": row.slug, "name": row.name, "position": row.position}
                for row in rows
            ],
            "top_companies": [
                {"position": c.get("position"), "slug": c.get("slug"), "name": c["name"],
                 "status": c["status_summary"],
                 "url": c.get("slug") and reverse("api:company-detail", args=[c["slug"]],
                                                  request=request)}
                for c in listings
            ],
            "top_companies_count": head["listed_count"],
            "top_companies_url": self.get_top_companies_url(report),
            "estimates": [
                {name: row.get(name) for name in EstimateSerializer.Meta.fields}
                for row in document["estimates"]["rows"]
            ],
            "methodology": head.get("methodology"),
            "sources": head.get("sources"),
            "data_licence": head["licence"]["id"],
            "licence": head["licence"],
            "status": Report.Status.PUBLISHED,
            **{name: fields[name].to_representation(getattr(report, name))
               for name in ("published_at", "created_at")},
            **dict.fromkeys(("updated_at", "last_changed"),
                            fields["last_changed"].to_representation(edition.published_at)),
            "latest_edition": self.get_latest_edition(report),
            "edition": edition.label,
        }  # fmt: skip


class ReportSegmentField(serializers.SlugRelatedField):
    """A segment named by its slug, looked up among the segments of the figure's report."""

    def get_queryset(self):
        parent = self.parent
        report_slug = getattr(parent, "initial_data", {}).get("report")
        if report_slug is None and parent.instance is not None:
            return Segment.objects.filter(report_id=self.report_id_of(parent.instance))
        return Segment.objects.filter(report__slug=str(report_slug))

    def report_id_of(self, instance):
        """The report of the object being updated, when the request names none."""
        return instance.report_id


class SegmentSerializer(
    RenderedProseMixin, EditionLabelMixin, ModelRulesMixin, serializers.ModelSerializer
):
    url = serializers.HyperlinkedIdentityField(view_name="api:segment-detail")
    page_url = PageUrlField()
    report = ReportSlugField()

    class Meta:
        model = Segment
        fields = [
            "id", "url", "page_url", "report", "slug", "name", "position", "overview",
            "outlook", "updated_at", "edition",
        ]  # fmt: skip
        read_only_fields = ["updated_at"]


class MarketFigureSerializer(EditionLabelMixin, ModelRulesMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:figure-detail")
    report = ReportSlugField()
    segment = ReportSegmentField(
        slug_field="slug",
        allow_null=True,
        required=False,
        help_text="Slug of one of the report's segments; null for the whole market.",
    )

    class Meta:
        model = MarketFigure
        fields = [
            "id", "url", "report", "segment", "year", "value", "kind", "source", "source_url",
            "note", "checked_on", "updated_at", "edition",
        ]  # fmt: skip
        read_only_fields = ["updated_at"]


class EditionRowMixin:
    """The reader's form of a working-copy serializer: the same fields, read from an
    edition's rows (EditionSegment, EditionFigure); ``url`` pins the edition."""

    view_name = id_attr = None

    def get_url(self, row):
        return pinned_url(self, self.view_name, getattr(row, self.id_attr), row.edition)

    def get_edition(self, row):
        return row.edition.label


class EditionSegmentSerializer(EditionRowMixin, SegmentSerializer):
    view_name, id_attr = "api:segment-detail", "segment_id"
    id = serializers.IntegerField(source="segment_id", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta(SegmentSerializer.Meta):
        model = EditionSegment


class EditionFigureSerializer(EditionRowMixin, MarketFigureSerializer):
    view_name, id_attr = "api:figure-detail", "figure_id"
    id = serializers.IntegerField(source="figure_id", read_only=True)
    url = serializers.SerializerMethodField()
    segment = serializers.CharField(read_only=True)

    class Meta(MarketFigureSerializer.Meta):
        model = EditionFigure

    def to_representation(self, row):
        data = super().to_representation(row)
        data["segment"] = data["segment"] or None  # stored as "" for the whole market
        return data


class MarketEstimateSerializer(EditionLabelMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:estimate-detail")
    report = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="Report slug."
    )

    class Meta:
        model = MarketEstimate
        fields = ["id", "url", "report", "position", *EstimateSerializer.Meta.fields, "edition"]
        extra_kwargs = {"position": {"help_text": "Its place in the report's table, from 1."}}


class EditionEstimateSerializer(EditionRowMixin, MarketEstimateSerializer):
    view_name, id_attr = "api:estimate-detail", "estimate_id"
    id = serializers.IntegerField(source="estimate_id", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField(help_text="The estimate, as this edition has it.")

    class Meta(MarketEstimateSerializer.Meta):
        model = EditionEstimate


class PointSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="Calendar year.")
    value = serializers.DecimalField(
        max_digits=20, decimal_places=3, help_text="Market size in the report's unit."
    )
    kind = serializers.ChoiceField(
        choices=MarketFigure.Kind.choices,
        help_text="Kind of an entered figure; computed years after the base year are forecasts.",
    )
    method = serializers.ChoiceField(
        choices=[forecast.ENTERED, forecast.INTERPOLATED, forecast.STATED_CAGR],
        help_text="`entered` by an editor from a source; `interpolated` by constant growth "
        "between two entered figures; `stated_cagr` from the report's stated CAGR.",
    )
    computed = serializers.BooleanField(help_text="True unless the value was entered.")
    source = serializers.CharField(allow_blank=True, help_text="Publisher of an entered value.")


class SeriesSerializer(serializers.Serializer):
    segment = serializers.CharField(allow_null=True, help_text="Segment name; null = total.")
    points = PointSerializer(many=True, help_text="One value per year, in year order.")


class CheckSerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=[forecast.ERROR, forecast.WARNING, forecast.INFO],
        help_text="error: the numbers contradict each other (a published report cannot have "
        "one); warning: probably wrong; info: a note.",
    )
    code = serializers.CharField(help_text="Stable identifier of the kind of check.")
    message = serializers.CharField(help_text="What is wrong, in plain words.")


class ForecastSerializer(serializers.Serializer):
    report = serializers.CharField(help_text="Report slug.")
    currency = serializers.CharField(help_text="ISO 4217 code of the values.")
    unit = serializers.CharField(help_text="Unit of the values, e.g. billion.")
    stated_cagr = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="As stated, in percent."
    )
    implied_cagr = serializers.DecimalField(
        max_digits=8, decimal_places=2, allow_null=True, help_text="Computed, in percent."
    )
    implied_cagr_period = serializers.CharField(
        allow_null=True,
        help_text="The years the implied CAGR is over, e.g. 2022–2030: from the last "
        "entered figure at or before the forecast start (null in editions made before "
        "2026-12-02, whose implied rate is over the forecast period).",
    )
    series = SeriesSerializer(many=True, help_text="Whole market first, then each segment.")
    checks = CheckSerializer(
        many=True,
        help_text="Consistency checks of the figures and of the numbers in the prose.",
    )


class ReadsEditions:
    """Readers read editions; editors read and write the working copy.

    A GET answers from the report's latest public edition for a user who may not
    view the model's rows (as ``visible_to`` decides), and for anyone from the
    edition ``edition`` or ``as_of`` names. Editors' other reads and every write
    use the rows, so a read-modify-write with ETags sees what it writes. The
    reader's serializer has the same fields, read from the edition; the edition
    attributes (filterset, ordering, lookup) replace the working copy's."""

    query_parameters = ("edition", "as_of")
    edition_serializer_class = None
    edition_attributes = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.reads_editions:
            for name, value in self.edition_attributes.items():
                setattr(self, name, value)

    @cached_property
    def edition_query(self):
        """The validated ``edition`` and ``as_of`` of the request (a 400 if bad)."""
        query = EditionQuery(self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    @cached_property
    def reads_editions(self):
        if self.request.method not in permissions.SAFE_METHODS:
            return False
        opts = self.serializer_class.Meta.model._meta
        may_view = self.request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        return bool(self.edition_query) or not may_view

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False) or not self.reads_editions:
            return self.serializer_class
        return self.edition_serializer_class

    def edition_of(self, report):
        """The edition a read of ``report`` answers from."""
        edition = edition_in_force(report, self.edition_query)
        edition = edition or report.editions.public().newest()
        if edition is None:
            raise NotFound("This report has no published edition yet.")
        return edition

    def editions_read(self):
        """The editions a list answers from: each report's latest public one, or the
        one ``edition`` and ``as_of`` name. With ``report`` too, a query that names
        none of its editions is a 404 saying so (``edition_in_force``)."""
        visible = Report.objects.visible_to(self.request.user)
        editions = Edition.objects.public().filter(report__in=visible)
        query, slug = self.edition_query, self.request.query_params.get("report")
        report = query and slug and visible.filter(slug=slug).first()
        if report:
            return editions.filter(pk=self.edition_of(report).pk)
        if "as_of" in query:
            editions = editions.filter(published_at__lte=day_end(query["as_of"]))
        editions = editions.current()
        return editions.labelled(query["edition"]) if "edition" in query else editions


def reads_editions_schema(what, actions=("list", "retrieve")):
    """The schema of reads that take ``edition`` and ``as_of``."""
    read = extend_schema(parameters=edition_parameters(what))
    return extend_schema_view(**dict.fromkeys(actions, read))


@reads_editions_schema("The report", actions=["retrieve"])
@with_write_warnings(ReportSerializer)
class ReportViewSet(EditionActionsMixin, ReadsEditions, WriteWarningsMixin, ContentViewSet):
    """Market reports, with their segments, headline figures and top companies."""

    serializer_class = ReportSerializer
    lookup_field = "slug"
    filterset_class = ReportFilter
    search_fields = ["title", "summary"]
    ordering_fields = ["title", "slug", "updated_at", "published_at", "base_year"]
    ordering = ["title"]
    queryset = Report.objects.none()  # for DjangoModelPermissions; get_queryset decides
    edition_serializer_class = ReportEditionSerializer

    def report_of(self, obj):
        return obj

    @property
    def query_parameters(self):
        # Editions are numbered per report: a list takes neither parameter.
        return ReadsEditions.query_parameters if self.action == "retrieve" else ()

    def get_queryset(self):
        public = Edition.objects.public().defer("document").order_by("-number", "-correction")
        latest = Prefetch("editions", public, to_attr="public_editions")
        if self.action not in ("list", "retrieve") or not self.reads_editions:
            return (
                Report.objects.visible_to(self.request.user)
                .for_page()
                .prefetch_related(latest)
                .order_by("title")
            )
        reports = Report.objects.visible_to(self.request.user)
        if not self.edition_query:
            reports = reports.with_edition()
        return reports.prefetch_related(latest).order_by("title")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.reads_editions and page is not None:  # each report's latest edition, at once
            shown = Edition.objects.filter(report__in=page).public().current()
            by_report = {e.report_id: e for e in shown.prefetch_related("segments", "figures")}
            for report in page:
                report.shown_edition = by_report[report.pk]
                report.shown_edition.report = report
        return page

    def get_object(self):
        report = super().get_object()
        if self.action == "retrieve" and self.reads_editions:
            report.shown_edition = self.edition_of(report)
            report.shown_edition.report = report
        return report

    def detail_headers(self, report):
        if self.reads_editions:
            published = report.shown_edition.published_at
            return {"Last-Modified": http_date(published.timestamp()),
                    "Content-Location": report.shown_edition.get_absolute_url()}  # fmt: skip
        return {"Last-Modified": http_date(report.last_changed().timestamp())}

    @extend_schema(
        parameters=edition_parameters("The forecast"),
        responses={
            200: ForecastSerializer,
            400: OpenApiResponse(description="A bad edition or date, or both given."),
            404: OpenApiResponse(description="No such report, or no edition then."),
        },
        summary="Yearly forecast series and consistency checks",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def forecast(self, request, slug=None):
        """The series the report page draws, as its latest edition published it: entered
        figures, computed years between them (marked), the implied CAGR and the
        consistency checks. With `edition` or `as_of`, as that edition published it.
        `Content-Location` names the edition."""
        return self.cached(self.forecast_of, request, slug=slug)

    def forecast_of(self, request, slug=None):
        query = EditionQuery(request.query_params)
        query.is_valid(raise_exception=True)
        report = self.get_object()
        edition = edition_in_force(report, query.validated_data)
        edition = edition or report.editions.public().select_related("report").newest()
        if edition is None:
            # A report not yet published in an edition: only editors reach it.
            if not request.user.has_perm("market.view_report"):
                raise NotFound("This report has no published edition yet.")
            series = forecast.forecast_as_dict(report.forecast(), checks=report.checks())
            unit = {"currency": report.currency, "unit": report.unit}
        else:
            series = edition.document["forecast"]
            unit = {name: edition.document["report"][name] for name in ("currency", "unit")}
        data = ForecastSerializer({"report": report.slug, **unit, **series}).data
        headers = {"ETag": etag_for(data)}
        if edition is not None:
            headers["Content-Location"] = edition.get_absolute_url()
            headers["Last-Modified"] = http_date(edition.published_at.timestamp())
        return Response(data, headers=headers)


@reads_editions_schema("The segments")
@with_write_warnings(SegmentSerializer)
class SegmentViewSet(ReadsEditions, WriteWarningsMixin, ContentViewSet):
    """Application segments of the reports (Cancer, Monogenic, ...)."""

    serializer_class = SegmentSerializer
    filterset_class = SegmentFilter
    search_fields = ["name", "overview", "outlook"]
    ordering_fields = ["position", "name", "updated_at"]
    ordering = ["report__title", "position"]
    queryset = Segment.objects.none()
    lookup_url_kwarg = "pk"  # also when readers look up the edition's segment_id
    edition_serializer_class = EditionSegmentSerializer
    edition_attributes = {
        "filterset_class": EditionSegmentFilter,
        "ordering": ["report__title", "position"],
        "lookup_field": "segment_id",
    }

    def get_queryset(self):
        if self.reads_editions:
            return EditionSegment.objects.filter(edition__in=self.editions_read()).select_related(
                "report", "edition__report"
            )
        return Segment.objects.visible_to(self.request.user).select_related("report")


@reads_editions_schema("The figures")
@with_write_warnings(MarketFigureSerializer)
class MarketFigureViewSet(ReadsEditions, WriteWarningsMixin, ContentViewSet):
    """Market figures as editors entered them (one per report, segment and year)."""

    serializer_class = MarketFigureSerializer
    filterset_class = MarketFigureFilter
    search_fields = ["source", "note"]
    ordering_fields = ["year", "value", "updated_at"]
    # The whole market first, on every database (PostgreSQL sorts NULL last).
    ordering = ["report__title", F("segment__position").asc(nulls_first=True), "year"]
    queryset = MarketFigure.objects.none()
    lookup_url_kwarg = "pk"  # also when readers look up the edition's figure_id
    edition_serializer_class = EditionFigureSerializer
    edition_attributes = {
        "filterset_class": EditionFigureFilter,
        "ordering": ["report__title", "segment_position", "year"],
        "lookup_field": "figure_id",
    }

    def get_queryset(self):
        if self.reads_editions:
            return EditionFigure.objects.filter(edition__in=self.editions_read()).select_related(
                "report", "edition__report"
            )
        return MarketFigure.objects.visible_to(self.request.user).select_related(
            "report", "segment"
        )


@reads_editions_schema("The estimates")
class EstimateViewSet(ReadsEditions, CachedReadMixin, TaggedReadMixin,
                      viewsets.ReadOnlyModelViewSet):  # fmt: skip
    """Other publishers' estimates of related markets, which each report sets beside
    its own forecast: read-only here (editors change them in the admin)."""

    serializer_class = MarketEstimateSerializer
    filterset_class = EstimateFilter
    search_fields = ["publisher", "scope", "notes"]
    ordering_fields = ["position", "publisher", "base_year", "forecast_year", "forecast_value",
                       "cagr"]  # fmt: skip
    ordering = ["report__title", "position"]
    queryset = MarketEstimate.objects.none()
    lookup_url_kwarg = "pk"  # also when readers look up the edition's estimate_id
    edition_serializer_class = EditionEstimateSerializer
    edition_attributes = {"filterset_class": EditionEstimateFilter, "lookup_field": "estimate_id"}

    def get_queryset(self):
        if self.reads_editions:
            return EditionEstimate.objects.filter(edition__in=self.editions_read()).select_related(
                "report", "edition__report"
            )
        return MarketEstimate.objects.visible_to(self.request.user).select_related("report")
