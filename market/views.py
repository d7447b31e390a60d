"""Public report pages and the data downloads."""

import csv
import json
import re

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView

from gtmp_site.core.cells import safe_cell
from gtmp_site.views import PageMetaMixin
from market import changes, citation, editions, snapshot
from market.models import EDITION_LABEL, Edition, Report, ReportSection


class HomeView(PageMetaMixin, ListView):
    template_name = "home.html"
    context_object_name = "reports"
    page_title = "Gene therapy market reports"

    def get_queryset(self):
        return Report.objects.published().for_page()

    def get_context_data(self, **kwargs):
        cards = [
            (report, snapshot.headline(report, report.facts.result)) for report in self.object_list
        ]
        return super().get_context_data(cards=cards, **kwargs)


def page_context(document):
    """The template context of a report page from its snapshot document."""
    page = snapshot.load(document)
    sections = page["sections"]
    return {
        **page,
        "sections_of": {kind: [s for s in sections if s["kind"] == kind] for kind in SECTION_KINDS},
    }


SECTION_KINDS = [kind for kind, _label in ReportSection.Kind.choices]


class ReportPageMixin(PageMetaMixin):
    """A report's public pages render from its snapshot document (market.snapshot)."""

    def get_report(self):
        return get_object_or_404(
            Report.objects.published().for_page().with_segment_companies(),
            slug=self.kwargs["slug" if "report_slug" not in self.kwargs else "report_slug"],
        )

    def get(self, request, *args, **kwargs):
        self.report = self.get_report()
        # Through JSON: the page renders exactly what a stored document holds.
        self.document = json.loads(json.dumps(snapshot.build(self.report)))
        self.page = page_context(self.document)
        response = self.render_to_response(self.get_context_data(**self.page))
        response["Last-Modified"] = http_date(self.report.last_changed().timestamp())
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(last_changed=self.report.last_changed(), **kwargs)


class ReportDetailView(ReportPageMixin, TemplateView):
    template_name = "market/report_detail.html"

    def get_context_data(self, **kwargs):
        latest = self.report.editions.public().newest()
        cite = latest and cite_edition(self.request, latest)
        return super().get_context_data(latest_edition=latest, cite=cite, **kwargs)

    def get_page_title(self):
        return self.page["report"]["title"]

    def get_page_description(self):
        return self.page["report"]["description"]


class WorkingCopyView(ReportDetailView):
    """A report's working copy exactly as the public would see it, drafts included,
    with what it changes from the latest edition. Never cached, and marked so search
    engines skip it."""

    def working_copy(self, **lookup):
        return get_object_or_404(Report.objects.for_page().with_segment_companies(), **lookup)

    def get_context_data(self, **kwargs):
        latest = self.report.editions.public().newest()
        differs = latest and changes.compare(latest.document, self.document)
        return super().get_context_data(
            preview=self.report,
            preview_against=latest,
            preview_changes=differs,
            preview_unchanged=bool(differs) and changes.is_empty(differs),
            **kwargs,
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response


@method_decorator([never_cache, staff_member_required], name="dispatch")
class ReportPreviewView(WorkingCopyView):
    """The preview, for staff."""

    def get_report(self):
        if not self.request.user.has_perm("market.view_report"):
            raise PermissionDenied
        return self.working_copy(slug=self.kwargs["slug"])


@method_decorator(never_cache, name="dispatch")
class SharedPreviewView(WorkingCopyView):
    """The preview, for whoever holds an active share link (market/editions.py)."""

    def get_report(self):
        link = editions.shared_link(self.kwargs["token"])
        if link is None or link.report.slug != self.kwargs["slug"]:
            raise Http404("This preview link has expired, been revoked, or never existed.")
        return self.working_copy(pk=link.report_id)


class SegmentDetailView(ReportPageMixin, TemplateView):
    template_name = "market/segment_detail.html"

    def get_page_title(self):
        return f"{self.segment['name']} · {self.page['report']['title']}"

    def get_page_description(self):
        return self.segment["description"]

    def get_context_data(self, **kwargs):
        found = [s for s in self.page["segments"] if s["slug"] == self.kwargs["slug"]]
        if not found:
            raise Http404("This report has no such segment.")
        self.segment = found[0]
        therapies = [t for t in self.page["therapies"] if t["segment"]["name"] == found[0]["name"]]
        return super().get_context_data(segment=found[0], segment_therapies=therapies, **kwargs)


def report_data(request, slug, fmt):
    """The report's yearly series and checks as CSV or JSON (same numbers as the page)."""
    queryset = Report.objects.published().for_page().with_segment_companies()
    report = get_object_or_404(queryset, slug=slug)
    document = snapshot.build(report)
    meta = {**report_meta(request, document), "updated_at": report.updated_at.isoformat()}
    return data_response(document, fmt, meta, f"{report.slug}-forecast.{fmt}")


def data_response(document, fmt, meta, filename):
    """The yearly series and checks of a snapshot ``document`` as a CSV or JSON download."""
    data = document["forecast"]
    if fmt == "json":
        response = JsonResponse(
            {"report": meta, **data}, json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
    else:
        unit = document["report"]["value_label"]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for series in data["series"]:
            for p in series["points"]:
                row = [
                    series["segment"] or "",
                    p["year"],
                    p["value"],
                    unit,
                    p["kind"],
                    p["method"],
                    "yes" if p["computed"] else "no",
                    p["source"],
                ]
                writer.writerow([safe_cell(cell) for cell in row])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = f'<{meta["licence"]["url"]}>; rel="license"'
    return response


CSV_COLUMNS = ["segment", "year", "value", "unit", "kind", "method", "computed", "source"]


META_FIELDS = ["title", "slug", "url", "currency", "unit", "base_year", "forecast_start_year",
               "forecast_end_year"]  # fmt: skip


def report_meta(request, document):
    meta = {name: document["report"][name] for name in META_FIELDS}
    return {**meta, "url": request.build_absolute_uri(meta["url"]),
            "licence": document["report"]["licence"]}  # fmt: skip


class EditionListView(PageMetaMixin, TemplateView):
    template_name = "market/edition_list.html"

    def get_page_title(self):
        return f"Editions · {self.report.title}"

    def get_context_data(self, **kwargs):
        self.report = get_object_or_404(Report, slug=self.kwargs["slug"])
        editions = list(self.report.editions.public().select_related("report"))
        if not editions:
            raise Http404("This report has no published edition yet.")
        return super().get_context_data(report=self.report, editions=editions, **kwargs)


def edition_of(slug, label):
    """The public edition ``label`` ('3', '2.1') of the report ``slug``, or a 404."""
    editions = Edition.objects.public().select_related("report").labelled(label)
    return get_object_or_404(editions, report__slug=slug)


class EditionDetailView(PageMetaMixin, TemplateView):
    """The report as it stood in one edition, rendered from the edition's document."""

    template_name = "market/report_detail.html"

    def get_context_data(self, **kwargs):
        edition = edition_of(self.kwargs["slug"], self.kwargs["label"])
        page = page_context(edition.document)
        self.page_title = f"Edition {edition.label} · {page['report']['title']}"
        self.page_description = page["report"]["description"]
        latest = edition.report.editions.public().newest()
        return super().get_context_data(
            edition=edition, latest=latest, cite=cite_edition(self.request, edition), **page,
            **kwargs,
        )  # fmt: skip


def cite_edition(request, edition):
    """The ways to cite ``edition`` (market/citation.py), with its absolute address."""
    url = request.build_absolute_uri(edition.get_absolute_url())
    return citation.formats(edition.document, edition, url)


def edition_data(request, slug, label, fmt):
    """An edition's yearly series and checks, as they stood, as CSV or JSON."""
    edition = edition_of(slug, label)
    meta = {
        **report_meta(request, edition.document),
        "edition": edition.label,
        "edition_url": request.build_absolute_uri(edition.get_absolute_url()),
        "published_at": edition.published_at.isoformat(),
        "reviewed_on": edition.reviewed_on.isoformat(),
    }
    filename = f"{slug}-edition-{edition.label}-forecast.{fmt}"
    return data_response(edition.document, fmt, meta, filename)


class EditionChangesView(PageMetaMixin, TemplateView):
    """What changed in an edition: since the edition before it, or since ``?from=``."""

    template_name = "market/edition_changes.html"

    def get_context_data(self, **kwargs):
        edition = edition_of(self.kwargs["slug"], self.kwargs["label"])
        since = self.request.GET.get("from")
        if since is not None:
            if not re.fullmatch(EDITION_LABEL, since):
                raise Http404("No such edition to compare with.")
            older = edition_of(self.kwargs["slug"], since)
        else:
            older = edition.previous()
        report = edition.document["report"]
        self.page_title = f"What changed in edition {edition.label} · {report['title']}"
        found = older and changes.compare(older.document, edition.document)
        return super().get_context_data(
            edition=edition,
            older=older,
            report=report,
            changes=found,
            unchanged=found is not None and changes.is_empty(found),
            **kwargs,
        )
