"""API v1 for approved therapies."""

from rest_framework import serializers

from companies.models import Company
from gtmp_site.api.mixins import ContentViewSet, DatedEventSerializer, ModelRulesMixin
from market.api import PageUrlField, ReportSegmentField
from therapies.filters import TherapyFilter
from therapies.models import Therapy, TherapyEvent


class CompanySlugField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Company.objects.all(), **kwargs)


class TherapySegmentField(ReportSegmentField):
    """A segment among those of the report the request names, or of the therapy's."""

    def report_id_of(self, instance):
        return instance.segment.report_id


class TherapyEventSerializer(DatedEventSerializer):
    class Meta(DatedEventSerializer.Meta):
        model = TherapyEvent


class TherapySerializer(ModelRulesMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:therapy-detail", lookup_field="slug")
    page_url = PageUrlField()
    report = serializers.CharField(
        source="segment.report.slug",
        read_only=True,
        help_text="Slug of the segment's report; send it with `segment` to move a therapy.",
    )
    segment = TherapySegmentField(
        slug_field="slug", help_text="Slug of its application segment in the report."
    )
    sponsor = CompanySlugField(help_text="Slug of the company that held it at approval.")
    holder = CompanySlugField(help_text="Slug of the company that holds it now.")
    source_urls = serializers.ListField(
        child=serializers.URLField(), read_only=True, help_text="The sources, one per item."
    )
    history = TherapyEventSerializer(
        source="events",
        many=True,
        read_only=True,
        help_text="Dated changes since approval (and review steps before it), oldest first.",
    )

    class Meta:
        model = Therapy
        fields = [
            "url", "page_url", "slug", "brand_name", "proper_name", "report", "segment",
            "modality", "indication", "approved_on", "sponsor", "holder", "status", "notes",
            "history", "sources", "source_urls", "checked_on", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["updated_at"]


class TherapyViewSet(ContentViewSet):
    """Gene therapies approved by the FDA, with their segment, modality and companies."""

    serializer_class = TherapySerializer
    lookup_field = "slug"
    filterset_class = TherapyFilter
    search_fields = ["brand_name", "proper_name", "indication", "sponsor__name", "holder__name"]
    ordering_fields = ["approved_on", "brand_name", "modality", "status", "updated_at"]
    ordering = ["approved_on", "brand_name"]
    queryset = Therapy.objects.none()

    def get_queryset(self):
        return Therapy.objects.visible_to(self.request.user).for_list()
