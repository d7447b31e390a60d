"""API v1 for frequently asked questions."""

from rest_framework import serializers

from faq.filters import QuestionFilter
from faq.models import Question
from gtmp_site.api.mixins import (
    ContentViewSet,
    ModelRulesMixin,
    NullableSlugField,
)
from market.api import RenderedProseMixin
from market.models import Report


class QuestionSerializer(RenderedProseMixin, ModelRulesMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:faq-detail")
    report = NullableSlugField(
        slug_field="slug",
        queryset=Report.objects.all(),
        allow_null=True,
        required=False,
        help_text="Report slug; null for a site-wide question.",
    )

    class Meta:
        model = Question
        fields = ["id", "url", "report", "question", "answer", "position", "is_published",
                  "updated_at"]  # fmt: skip
        read_only_fields = ["updated_at"]


class QuestionViewSet(ContentViewSet):
    """Frequently asked questions, per report or site-wide."""

    serializer_class = QuestionSerializer
    filterset_class = QuestionFilter
    search_fields = ["question", "answer"]
    ordering_fields = ["position", "updated_at"]
    ordering = ["report__title", "position", "id"]
    queryset = Question.objects.none()

    def get_queryset(self):
        return Question.objects.visible_to(self.request.user).select_related("report")
