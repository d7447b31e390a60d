from django.db import models
from django.db.models import Q

from gtmp_site.core.fields import ProseField
from gtmp_site.core.models import ContentModel
from gtmp_site.core.prose import plain_text, render_markdown
from gtmp_site.core.querysets import PublishedQuerySet
from market import placeholders
from market.models import EDITION_NOTE, Report


class QuestionQuerySet(PublishedQuerySet):
    def listed(self):
        """Questions an editor has not hidden (shown on their report's page)."""
        return self.filter(is_published=True)

    def published(self):
        """Listed questions that are site-wide or belong to a public report."""
        return self.listed().filter(
            Q(report__isnull=True) | Q(report__in=Report.objects.published())
        )


class Question(ContentModel):
    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="questions",
        null=True,
        blank=True,
        help_text="Leave empty for a site-wide question.",
    )
    question = models.CharField(max_length=300, help_text="As a reader would ask it.")
    answer = ProseField(help_text="Markdown.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the list.")
    is_published = models.BooleanField(
        "published", default=True, help_text="Unpublished questions are kept but not shown."
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["report", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "question"],
                name="question_unique_per_report",
                violation_error_message="This report already has this question.",
            ),
        ]

    def __str__(self):
        return self.question

    @property
    def public_note(self):
        if self.report_id is None:
            return "Public now, on the FAQ page: a change here shows once it is saved."
        return EDITION_NOTE

    def hidden_because(self):
        if not self.is_published:
            return "It is unpublished: tick “published” to show it."
        return f"Its report “{self.report}” is not public yet; publish the report first."

    @property
    def answer_html(self):
        """The answer as safe HTML, its placeholders filled from its report's figures."""
        return render_markdown(placeholders.render(self.answer, self.report and self.report.facts))

    @property
    def answer_text(self):
        """The answer in plain words (structured data for search engines)."""
        return plain_text(placeholders.render(self.answer, self.report and self.report.facts))

    def clean(self):
        if self.report_id is None:
            placeholders.refuse_without_report(answer=self.answer)
