from itertools import groupby

from django.views.generic import TemplateView

from faq.models import Question
from gtmp_site.views import PageMetaMixin
from market.models import Report


class FaqView(PageMetaMixin, TemplateView):
    """Every published question: site-wide ones first, then each public report's."""

    template_name = "faq/faq.html"
    page_title = "Frequently asked questions"
    page_description = "Answers to common questions about gene therapy and its market."

    def get_context_data(self, **kwargs):
        questions = (
            Question.objects.published()
            .select_related("report")
            .order_by("report__title", "position", "pk")
        )
        questions = list(questions)
        # One instance per report, so its placeholders' facts are computed once.
        reports = Report.objects.prefetch_related("figures__segment", "segments").in_bulk(
            {q.report_id for q in questions if q.report_id}
        )
        for question in questions:
            question.report = reports.get(question.report_id)
        groups = [(report, list(items)) for report, items in groupby(questions, lambda q: q.report)]
        groups.sort(key=lambda group: group[0] is not None)
        return super().get_context_data(groups=groups, questions=questions, **kwargs)
