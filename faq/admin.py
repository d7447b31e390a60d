from django.contrib import admin

from faq.models import Question
from gtmp_site.core.admin_base import ContentAdmin
from market.admin import ReportAdmin


@admin.register(Question)
class QuestionAdmin(ContentAdmin):
    list_display = ["question", "report", "position", "is_published"]
    list_editable = ["position", "is_published"]
    list_filter = ["is_published", "report"]
    list_select_related = ["report"]
    search_fields = ["question", "answer"]


ReportAdmin.add_part(Question)
