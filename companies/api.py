"""API v1 for companies."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from companies.filters import CompanyFilter
from companies.models import Company, ReportCompany
from gtmp_site.api.mixins import ContentViewSet, ModelRulesMixin
from market.api import PageUrlField
from market.models import Report, Segment


class CompanySegmentSerializer(serializers.ModelSerializer):
    report = serializers.CharField(
        source="report.slug", read_only=True, help_text="Slug of the segment's report."
    )

    class Meta:
        model = Segment
        fields = ["report", "slug", "name"]


class CompanySerializer(ModelRulesMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:company-detail", lookup_field="slug")
    page_url = PageUrlField()
    status_summary = serializers.CharField(
        read_only=True, help_text="The status in words, e.g. 'Acquired by Roche, 2019'."
    )
    segments = serializers.SerializerMethodField(
        help_text="Segments it works in (edited in the admin)."
    )

    class Meta:
        model = Company
        fields = [
            "url", "page_url", "slug", "name", "legal_name", "website", "headquarters",
            "founded_year", "status", "successor", "status_year", "status_summary", "profile",
            "segments", "facts_source", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["updated_at"]

    @extend_schema_field(CompanySegmentSerializer(many=True))
    def get_segments(self, company):
        return CompanySegmentSerializer(company.segments.all(), many=True).data


class CompanyViewSet(ContentViewSet):
    """Companies named in the reports, with their current status."""

    cache_models = [Company, ReportCompany, Segment, Report]

    serializer_class = CompanySerializer
    lookup_field = "slug"
    filterset_class = CompanyFilter
    search_fields = ["name", "legal_name", "profile", "successor"]
    ordering_fields = ["name", "founded_year", "status", "updated_at"]
    ordering = ["name"]
    queryset = Company.objects.none()

    def get_queryset(self):
        user = self.request.user
        return Company.objects.visible_to(user).with_segments(user)
