from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from faq.models import Question


@admin.register(Question)
class QuestionAdmin(SimpleHistoryAdmin):
    list_display = ["question", "report", "position", "is_published"]
    list_editable = ["position", "is_published"]
    list_filter = ["is_published", "report"]
    list_select_related = ["report"]
    search_fields = ["question", "answer"]
