"""API v1 for frequently asked questions."""

from django.db.models import Q
from rest_framework import serializers, viewsets

from faq.filters import QuestionFilter
from faq.models import Question
from gtmp_site.api.mixins import (
    ConditionalWriteMixin,
    ModelRulesMixin,
    NullableSlugField,
    visible_to,
)
from market.api import RenderedProseMixin, visible_reports
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


class QuestionViewSet(ConditionalWriteMixin, viewsets.ModelViewSet):
    """Frequently asked questions, per report or site-wide."""

    serializer_class = QuestionSerializer
    filterset_class = QuestionFilter
    search_fields = ["question", "answer"]
    ordering_fields = ["position", "updated_at"]
    ordering = ["report__title", "position", "id"]
    queryset = Question.objects.none()

    def get_queryset(self):
        user = self.request.user
        public = Question.objects.published().filter(
            Q(report__isnull=True) | Q(report__in=visible_reports(user))
        )
        return visible_to(user, Question, Question.objects.all(), public).select_related("report")
