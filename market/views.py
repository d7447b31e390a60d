"""Public report pages and the data downloads."""

import csv

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from gtmp_site.core.cells import safe_cell
from gtmp_site.views import PageMetaMixin, plain_summary
from market import charts, forecast, placeholders
from market.models import Report


class HomeView(PageMetaMixin, ListView):
    template_name = "home.html"
    context_object_name = "reports"
    page_title = "Gene therapy market reports"

    def get_queryset(self):
        return Report.objects.published().for_page()

    def get_context_data(self, **kwargs):
        cards = [(report, headline(report, report.facts.result)) for report in self.object_list]
        return super().get_context_data(cards=cards, **kwargs)


class ReportDetailView(PageMetaMixin, DetailView):
    context_object_name = "report"

    def get_page_title(self):
        return self.object.title

    def get_page_description(self):
        return plain_summary(placeholders.render(self.object.summary, self.object.facts))

    def get_queryset(self):
        return Report.objects.published().for_page()

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Last-Modified"] = http_date(context["last_changed"].timestamp())
        return response

    def get_context_data(self, **kwargs):
        report = self.object
        result = report.facts.result
        sections = list(report.sections.all())
        by_segment = {series.segment: series for series in result.segments}
        return super().get_context_data(
            forecast=result,
            headline=headline(report, result),
            total_chart=charts.chart_data(
                result.total, title=f"{report.title}: market size", unit=report.value_label
            ),
            total_points=result.total.points,
            segments=[
                segment_block(report, segment, by_segment.get(segment.name))
                for segment in report.segments.all()
            ],
            trends=[s for s in sections if s.kind == s.Kind.TRENDS],
            opportunities=[s for s in sections if s.kind == s.Kind.OPPORTUNITIES],
            overview=[s for s in sections if s.kind == s.Kind.OVERVIEW],
            regional=[s for s in sections if s.kind == s.Kind.REGIONAL],
            other_sections=[s for s in sections if s.kind == s.Kind.OTHER],
            questions=list(report.questions.all()),
            approvals=charts.approvals_data(report),
            estimates=charts.estimates_data(report, result),
            therapies=sorted(
                (t for segment in report.segments.all() for t in segment.therapies.all()),
                key=lambda t: (t.approved_on, t.brand_name),
            ),
            last_changed=report.last_changed(),
            **kwargs,
        )


@method_decorator([never_cache, staff_member_required], name="dispatch")
class ReportPreviewView(ReportDetailView):
    """A report exactly as the public will see it, drafts included, for staff only.

    Never cached, and marked so search engines skip it.
    """

    def get_queryset(self):
        if not self.request.user.has_perm("market.view_report"):
            raise PermissionDenied
        return Report.objects.for_page()

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response


def headline(report, result):
    """The three headline numbers: base-year size, end-year forecast, CAGRs."""
    points = {p.year: p for p in result.total.points}
    return {
        "base": points.get(report.base_year),
        "end": points.get(report.forecast_end_year),
        "stated_cagr": forecast.as_percent(result.stated_cagr),
        "implied_cagr": forecast.as_percent(result.implied_cagr),
    }


def segment_block(report, segment, series):
    """A segment with its chart and table, when it has figures."""
    block = {"segment": segment, "chart": None, "points": ()}
    if series and series.points:
        block["chart"] = charts.chart_data(
            series, title=f"{segment.name}: market size", unit=report.value_label
        )
        block["points"] = series.points
    return block


class SegmentDetailView(PageMetaMixin, DetailView):
    context_object_name = "segment"

    def get_page_title(self):
        return f"{self.object.name} · {self.report.title}"

    def get_page_description(self):
        return plain_summary(placeholders.render(self.object.overview, self.report.facts))

    def get_object(self, queryset=None):
        self.report = get_object_or_404(
            Report.objects.published().for_page(), slug=self.kwargs["report_slug"]
        )
        for segment in self.report.segments.all():
            if segment.slug == self.kwargs["slug"]:
                return segment
        raise Http404("This report has no such segment.")

    def get_context_data(self, **kwargs):
        series = {s.segment: s for s in self.report.facts.result.segments}
        return super().get_context_data(
            report=self.report,
            # Not "block": templates reserve that name for {{ block.super }}.
            figures=segment_block(self.report, self.object, series.get(self.object.name)),
            companies=self.object.companies.prefetch_related("events"),
            **kwargs,
        )


def report_data(request, slug, fmt):
    """The report's yearly series and checks as CSV or JSON (same numbers as the page)."""
    report = get_object_or_404(Report.objects.published().for_page(), slug=slug)
    result = report.forecast()
    filename = f"{report.slug}-forecast.{fmt}"
    if fmt == "json":
        response = JsonResponse(
            {
                "report": report_meta(request, report),
                **forecast.forecast_as_dict(result, checks=report.checks()),
            },
            json_dumps_params={"ensure_ascii": False, "indent": 2},
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for series in (result.total, *result.segments):
            for p in series.points:
                row = [
                    series.segment or "",
                    p.year,
                    p.value,
                    report.value_label,
                    p.kind,
                    p.method,
                    "yes" if p.computed else "no",
                    p.source,
                ]
                writer.writerow([safe_cell(cell) for cell in row])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CSV_COLUMNS = ["segment", "year", "value", "unit", "kind", "method", "computed", "source"]


def report_meta(request, report):
    return {
        "title": report.title,
        "slug": report.slug,
        "url": request.build_absolute_uri(report.get_absolute_url()),
        "currency": report.currency,
        "unit": report.unit,
        "base_year": report.base_year,
        "forecast_start_year": report.forecast_start_year,
        "forecast_end_year": report.forecast_end_year,
        "updated_at": report.updated_at.isoformat(),
    }
