"""API v1 for companies."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from companies.filters import CompanyFilter
from companies.models import Company, CompanyEvent
from gtmp_site.api.mixins import ContentViewSet, DatedEventSerializer, ModelRulesMixin
from market.api import PageUrlField
from market.models import Segment


class CompanySegmentSerializer(serializers.ModelSerializer):
    report = serializers.CharField(
        source="report.slug", read_only=True, help_text="Slug of the segment's report."
    )

    class Meta:
        model = Segment
        fields = ["report", "slug", "name"]


class CompanyEventSerializer(DatedEventSerializer):
    class Meta(DatedEventSerializer.Meta):
        model = CompanyEvent


class CompanyTherapySerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="The therapy's slug (see /api/v1/therapies/).")
    brand_name = serializers.CharField(help_text="E.g. Luxturna.")
    role = serializers.ChoiceField(
        choices=["sponsor", "holder", "sponsor and holder"],
        help_text="Whether the company won its approval, holds it now, or both.",
    )


class CompanySerializer(ModelRulesMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:company-detail", lookup_field="slug")
    page_url = PageUrlField()
    status_summary = serializers.CharField(
        read_only=True, help_text="The status in words, e.g. 'Acquired by Roche, 2019'."
    )
    segments = serializers.SerializerMethodField(
        help_text="Segments it works in (edited in the admin)."
    )
    independent = serializers.BooleanField(
        read_only=True, help_text="Whether it still exists on its own (active or renamed)."
    )
    history = CompanyEventSerializer(
        source="events", many=True, read_only=True, help_text="Dated steps, oldest first."
    )
    therapies = serializers.SerializerMethodField(
        help_text="Approved therapies it won approval for or holds now."
    )

    class Meta:
        model = Company
        fields = [
            "url", "page_url", "slug", "name", "legal_name", "website", "headquarters",
            "founded_year", "status", "successor", "status_year", "status_summary",
            "independent", "profile", "segments", "history", "therapies", "facts_source",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["updated_at"]

    @extend_schema_field(CompanySegmentSerializer(many=True))
    def get_segments(self, company):
        return CompanySegmentSerializer(company.segments.all(), many=True).data

    @extend_schema_field(CompanyTherapySerializer(many=True))
    def get_therapies(self, company):
        roles = (("sponsor", "sponsor_id"), ("holder", "holder_id"))
        rows = [
            {
                "slug": t.slug,
                "brand_name": t.brand_name,
                "role": " and ".join(r for r, key in roles if getattr(t, key) == company.pk),
            }
            for t in company.products
        ]
        return CompanyTherapySerializer(rows, many=True).data


class CompanyViewSet(ContentViewSet):
    """Companies named in the reports, with their current status."""

    serializer_class = CompanySerializer
    lookup_field = "slug"
    filterset_class = CompanyFilter
    search_fields = ["name", "legal_name", "profile", "successor"]
    ordering_fields = ["name", "founded_year", "status", "updated_at"]
    ordering = ["name"]
    queryset = Company.objects.none()

    def get_queryset(self):
        user = self.request.user
        return Company.objects.visible_to(user).with_segments(user).with_therapies(user)
