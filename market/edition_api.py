"""The API's view of editions: a report's editions, what changed between two of
them, and the forecast as one edition published it (``?edition=`` or ``?as_of=``)."""

import datetime as dt

from django.urls import reverse as url_of
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from gtmp_site.api.mixins import etag_for
from market import changes, citation, editions
from market.models import EDITION_LABEL, Edition, Report, Submission

LABEL = rf"^{EDITION_LABEL}$"


class CitationSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="A plain-text reference.")
    bibtex = serializers.CharField(help_text="A BibTeX @misc entry.")
    ris = serializers.CharField(help_text="A RIS record (type DATA).")
    csl_json = serializers.CharField(help_text="CSL-JSON: a list of one dataset item.")


class EditionSummarySerializer(serializers.Serializer):
    edition = serializers.CharField(source="label", help_text="'3', or '2.1' for a correction.")
    published_at = serializers.DateTimeField(help_text="When it went (or goes) public.")
    reviewed_on = serializers.DateField(help_text="When its facts were last checked.")
    url = serializers.SerializerMethodField(help_text="Its permanent page.")

    def _absolute(self, path):
        return self.context["request"].build_absolute_uri(path)

    def get_url(self, edition) -> str:
        return self._absolute(edition.get_absolute_url())


class EditionSerializer(EditionSummarySerializer):
    note = serializers.CharField(help_text="The editor's note of what changed.")
    data_csv = serializers.SerializerMethodField(help_text="Its yearly series as CSV.")
    data_json = serializers.SerializerMethodField(help_text="Its yearly series as JSON.")
    changes = serializers.SerializerMethodField(
        help_text="What changed since the edition before it (API); null for the first."
    )
    citation = serializers.SerializerMethodField(
        help_text="How to cite it: plain text, BibTeX, RIS and CSL-JSON (a JSON string)."
    )

    def get_data_csv(self, edition) -> str:
        return self._absolute(f"{edition.get_absolute_url()}data.csv")

    def get_data_json(self, edition) -> str:
        return self._absolute(f"{edition.get_absolute_url()}data.json")

    @extend_schema_field(CitationSerializer)
    def get_citation(self, edition):
        return citation.formats(edition.document, edition, self.get_url(edition))

    def get_changes(self, edition) -> str | None:
        if edition.is_first:
            return None
        path = url_of("api:report-changes", args=[edition.report.slug])
        return self._absolute(f"{path}?to={edition.label}")


class FigureChangeSerializer(serializers.Serializer):
    segment = serializers.CharField(allow_null=True, help_text="Segment name; null = total.")
    year = serializers.IntegerField(help_text="Calendar year.")
    old = serializers.DecimalField(
        max_digits=20,
        decimal_places=3,
        allow_null=True,
        help_text="In the older edition; null: none.",
    )
    new = serializers.DecimalField(
        max_digits=20,
        decimal_places=3,
        allow_null=True,
        help_text="In the newer edition; null: removed.",
    )
    change_percent = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="Computed, in percent."
    )
    old_kind = serializers.CharField(allow_null=True, help_text="Kind in the older edition.")
    new_kind = serializers.CharField(allow_null=True, help_text="Kind in the newer edition.")


class RatesSerializer(serializers.Serializer):
    stated = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="As stated, in percent."
    )
    implied = serializers.DecimalField(
        max_digits=8, decimal_places=2, allow_null=True, help_text="Computed, in percent."
    )
    period = serializers.CharField(help_text="The period of the stated rate (the forecast's).")
    implied_period = serializers.CharField(
        help_text="The period of the implied rate: from the last entered figure at or "
        "before the forecast start to its end."
    )


class CagrChangeSerializer(serializers.Serializer):
    old = RatesSerializer(required=False, help_text="The older edition's rates.")
    new = RatesSerializer(required=False, help_text="The newer edition's rates.")


class AddedRemovedSerializer(serializers.Serializer):
    added = serializers.ListField(child=serializers.CharField(), help_text="Names added.")
    removed = serializers.ListField(child=serializers.CharField(), help_text="Names removed.")


class WordSerializer(serializers.Serializer):
    op = serializers.ChoiceField(
        choices=["equal", "delete", "insert"], help_text="Kept, gone or new words."
    )
    text = serializers.CharField(help_text="The words.")


class ProseChangeSerializer(serializers.Serializer):
    where = serializers.CharField(help_text="Which piece of prose.")
    words = WordSerializer(many=True, help_text="Word by word, as readers read it.")


class ChangesSerializer(serializers.Serializer):
    report = serializers.CharField(help_text="Report slug.")
    old = EditionSerializer(help_text="The older edition.")
    new = EditionSerializer(help_text="The newer edition.")
    figures = FigureChangeSerializer(many=True, help_text="Sourced figures that changed.")
    cagr = CagrChangeSerializer(help_text="Both rates of each edition, if either moved.")
    segments = AddedRemovedSerializer(help_text="Segments added or removed.")
    companies = AddedRemovedSerializer(help_text="Listed companies added or removed.")
    approvals = AddedRemovedSerializer(help_text="Approved therapies added or removed.")
    prose = ProseChangeSerializer(many=True, help_text="Text the editors changed.")


class QuerySerializer(serializers.Serializer):
    """Query parameters, validated as given: DRF reads an empty form value of an
    optional field as "not given", so ``?as_of=`` would quietly mean the latest."""

    def __init__(self, params):
        super().__init__(data=params.dict())


class EditionQuery(QuerySerializer):
    edition = serializers.RegexField(LABEL, required=False, help_text="An edition: 3 or 2.1.")
    as_of = serializers.DateField(
        required=False, help_text="The edition in force at the end of this day (UTC)."
    )


def label_parameter(name, description, example="1"):
    return OpenApiParameter(
        name, str, description=description, pattern=LABEL,
        examples=[OpenApiExample(f"Edition {example}", value=example)],
    )  # fmt: skip


def edition_parameters(what):
    """The ``edition`` and ``as_of`` parameters of a read of ``what`` ("The forecast")."""
    return [
        label_parameter("edition", f"{what} as edition N published it (e.g. 1 or 2.1)."),
        OpenApiParameter(
            "as_of", OpenApiTypes.DATE,
            description=f"{what} as the edition in force at the end of this day (UTC) "
            "published it. With `edition` too, that edition if it was in force then, "
            "else 404.",
            examples=[OpenApiExample("A date", value="2026-12-01")],
        ),
    ]  # fmt: skip


def day_end(day):
    """The last moment of ``day`` (UTC): an ``as_of`` date means the end of that day."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


def edition_in_force(report, query):
    """The edition ``query`` (validated EditionQuery data) names, or None when it names
    none (then the caller answers for the working copy as before)."""
    editions = Edition.objects.public().filter(report=report).select_related("report")
    found = None
    if "as_of" in query:
        found = editions.filter(published_at__lte=day_end(query["as_of"]))
        found = found.order_by("-published_at").first()
        if found is None:
            raise NotFound(f"This report had no published edition on {query['as_of']}.")
    if "edition" in query:
        named = editions.labelled(query["edition"]).first()
        if named is None:
            raise NotFound(f"This report has no published edition {query['edition']}.")
        if found is not None and found != named:
            raise NotFound(
                f"Edition {named.label} was not in force on {query['as_of']}: "
                f"edition {found.label} was."
            )
        found = named
    return found


class ChangesQuery(QuerySerializer):
    def get_fields(self):  # "from" is a Python keyword, so the fields are named here
        def label(which):
            return serializers.RegexField(LABEL, required=False, help_text=f"The {which} edition.")

        return {"from": label("older"), "to": label("newer")}


class EditionActionsMixin:
    """The ``editions`` and ``changes`` routes of the report resource."""

    @extend_schema(
        responses={
            200: EditionSerializer(many=True),
            404: OpenApiResponse(description="Not found."),
        },
        summary="The report's published editions, newest first",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def editions(self, request, slug=None):
        """Each edition with its date, the date it was reviewed, the editor's note, and
        links to its permanent page, its downloads and what changed in it."""
        return self.cached(self._editions, request, slug=slug)

    def _editions(self, request, slug=None):
        report = self.get_object()
        rows = Edition.objects.public().filter(report=report).select_related("report")
        data = EditionSerializer(rows, many=True, context={"request": request}).data
        return Response(data, headers={"ETag": etag_for(data)})

    @extend_schema(
        parameters=[
            label_parameter("to", "The newer edition (default: the latest).", "2"),
            label_parameter("from", "The older edition (default: the one before `to`)."),
        ],
        responses={200: ChangesSerializer, 400: OpenApiResponse(description="A bad edition."),
                   404: OpenApiResponse(description="No such edition.")},
        summary="What changed between two editions",
    )  # fmt: skip
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def changes(self, request, slug=None):
        """Each sourced figure that changed (old, new, change in per cent), the stated and
        implied CAGR, segments, companies and approvals added or removed, and the text
        that changed, word by word."""
        return self.cached(self._changes, request, slug=slug)

    def _changes(self, request, slug=None):
        query = ChangesQuery(request.query_params)
        query.is_valid(raise_exception=True)
        new_label, old_label = (query.validated_data.get(name) for name in ("to", "from"))
        report = self.get_object()
        if new_label:
            new = edition_in_force(report, {"edition": new_label})
        else:
            new = Edition.objects.public().filter(report=report).newest()
            if new is None:
                raise NotFound("This report has no published edition yet.")
        old = edition_in_force(report, {"edition": old_label}) if old_label else new.previous()
        if old is None:
            raise NotFound(f"Edition {new.label} is the first: there is nothing to compare.")
        context = {"request": request}
        data = ChangesSerializer(
            {"report": report.slug, "old": old, "new": new,
             **changes.compare(old.document, new.document)},
            context=context,
        ).data  # fmt: skip
        return Response(data, headers={"ETag": etag_for(data)})


class SubmissionSerializer(serializers.ModelSerializer):
    report = serializers.SlugRelatedField(
        slug_field="slug", queryset=Report.objects.all(), help_text="Slug of the report."
    )
    submitted_by = serializers.StringRelatedField(help_text="Who submitted it.")
    decided_by = serializers.StringRelatedField(help_text="Who published or sent it back.")
    edition = serializers.SerializerMethodField(help_text="The edition it became, once published.")

    class Meta:
        model = Submission
        fields = [
            "id", "report", "note", "reviewed_on", "correction", "go_live_at", "state",
            "submitted_by", "submitted_at", "decided_by", "decided_at", "comment", "edition",
        ]  # fmt: skip
        read_only_fields = ["state", "submitted_at", "decided_at", "comment"]
        extra_kwargs = {
            "state": {"help_text": "Waiting for review, published or sent back."},
            "submitted_at": {"help_text": "When it was submitted."},
            "decided_at": {"help_text": "When it was published or sent back."},
        }

    def get_edition(self, submission) -> str | None:
        return submission.edition.label if submission.edition else None


class SendBackSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="Why it goes back, for the editor who submitted it.")


class SubmissionViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Working copies put forward as their report's next edition, for editors' scripts:
    the same rules as the admin's Editions page (market/editions.py)."""

    serializer_class = SubmissionSerializer
    permission_classes = [permissions.DjangoModelPermissions]
    queryset = Submission.objects.select_related("report", "submitted_by", "decided_by",
                                                 "edition")  # fmt: skip
    filterset_fields = ["report__slug", "state"]
    ordering = ["-submitted_at", "-pk"]

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "report"}
        done = editions.submit(serializer.validated_data["report"], self.request.user, **data)
        serializer.instance = done.submission if isinstance(done, Edition) else done

    @extend_schema(
        request=None,
        responses={201: EditionSerializer, 400: OpenApiResponse(description="Refused."),
                   403: OpenApiResponse(description="Not allowed to publish it."),
                   404: OpenApiResponse(description="No such submission.")},
        summary="Publish a submission as its report's next edition",
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish it: a member of the Publishers group other than the submitter (or a
        superuser, or anyone when review is off). The working copy is checked again."""
        edition = editions.approve(self.get_object(), request.user)
        data = EditionSerializer(edition, context={"request": request}).data
        return Response(data, status=201)

    @extend_schema(
        request=SendBackSerializer,
        responses={200: SubmissionSerializer, 400: OpenApiResponse(description="Refused."),
                   404: OpenApiResponse(description="No such submission.")},
        summary="Send a submission back with a comment",
    )  # fmt: skip
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """Return it to its editor, unpublished, with a comment."""
        comment = SendBackSerializer(data=request.data)
        comment.is_valid(raise_exception=True)
        done = editions.send_back(
            self.get_object(), request.user, comment.validated_data["comment"]
        )
        return Response(SubmissionSerializer(done, context={"request": request}).data)
