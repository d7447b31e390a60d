from django.contrib import admin
from django.urls import reverse

from faq.models import Question
from gtmp_site.core.admin_base import ContentAdmin
from market.admin import ReportAdmin, WhereUsedMixin


def of_question(question):
    places = [("Page", reverse("faq:index")), ("API", f"/api/v1/faqs/{question.pk}/")]
    if question.report_id:
        places = [("Page", question.report.get_absolute_url()), *places]
    return [], places


@admin.register(Question)
class QuestionAdmin(WhereUsedMixin, ContentAdmin):
    where_used_of = staticmethod(of_question)
    list_display = ["question", "report", "position", "is_published"]
    list_editable = ["position", "is_published"]
    list_filter = ["is_published", "report"]
    list_select_related = ["report"]
    search_fields = ["question", "answer"]


ReportAdmin.add_part(Question)
