"""Public report pages and the data downloads."""

import json
import logging
import re
import threading
import time

from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from gtmp_site.core import shown
from gtmp_site.core.cache import content_changed
from gtmp_site.core.http import frameable_anywhere
from gtmp_site.views import PageMetaMixin
from market import (
    changes,
    chart_images,
    charts,
    citation,
    datapackage,
    downloads,
    editions,
    metadata,
    pdf,
    snapshot,
)
from market.models import EDITION_LABEL, Edition, Report, ReportSection

log = logging.getLogger(__name__)


class HomeView(PageMetaMixin, TemplateView):
    template_name = "home.html"
    page_title = "Gene therapy market reports"

    def get_context_data(self, **kwargs):
        editions = Edition.objects.on_site().current().select_related("report")
        cards = [
            (edition, snapshot.load(edition.document))
            for edition in editions.order_by("report__title")
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


def numbered(exhibits):
    """Figures and tables numbered in page order ("Figure 2", "Table 3"), for their
    captions and the contents: ``exhibits`` is [(key, title, has figure, has
    table)]; the answer {key: {"title", "figure": n or None, "table": n or None}}."""
    found, figures, tables = {}, 0, 0
    for key, title, figure, table in exhibits:
        figures, tables = figures + figure, tables + table
        found[key] = {"title": title, "figure": (figure and figures) or None,
                      "table": (table and tables) or None}  # fmt: skip
    return found


def report_exhibits(page):
    """The report page's figures and tables, in the order the page shows them."""
    charted = [s for s in page["segments"] if s["chart"]]
    return numbered([
        ("forecast", "Market size and forecast", True, True),
        *((f"segment-{s['slug']}", f"{s['name']}: market size", True, True) for s in charted),
        *([("approvals", "US approvals per year", True, True),
           ("therapies", "Approved therapies", False, True)] if page["therapies"] else []),
        *([("estimates", "This forecast beside other estimates", True, True)]
          if page["estimates"]["rows"] else []),
    ])  # fmt: skip


def edition_at(slug, label=None):
    """The edition an address names: edition ``label`` of the report ``slug``, or
    its latest public one without a label; a 404 if there is none."""
    return edition_of(slug, label) if label else current_edition(slug)


def current_edition(slug):
    """The edition the public sees of the report ``slug``: its latest public one."""
    editions = Edition.objects.on_site().filter(report__slug=slug).select_related("report")
    edition = editions.newest()
    if edition is None:
        raise Http404("No such report is published.")
    return edition


class ReportPageMixin(PageMetaMixin):
    """A report's public pages render from the snapshot document (market.snapshot) of
    its latest public edition; the preview renders its working copy's the same way."""

    def get_edition(self):
        return current_edition(self.kwargs["report_slug" if "report_slug" in self.kwargs
                                           else "slug"])  # fmt: skip

    def get(self, request, *args, **kwargs):
        self.edition = self.get_edition()
        return self.render_page(
            self.edition.document, self.edition.published_at, edition=self.edition, live=True
        )

    def render_page(self, document, modified, **context):
        self.page = page_context(document)
        response = self.render_to_response(self.get_context_data(**self.page, **context))
        response["Last-Modified"] = http_date(modified.timestamp())
        return response


class ReportDetailView(ReportPageMixin, TemplateView):
    template_name = "market/report_detail.html"

    def get_context_data(self, **kwargs):
        edition = kwargs.get("edition")
        cite = edition and cite_edition(self.request, edition)
        exhibits = report_exhibits(self.page)
        for segment in self.page["segments"]:
            segment["exhibit"] = exhibits.get(f"segment-{segment['slug']}")
        live = kwargs.get("live", False)
        slug = self.page["report"]["slug"]
        data = downloads.addresses(slug, edition, live)
        absolute = {kind: self.request.build_absolute_uri(url) for kind, url in data.items()}
        return super().get_context_data(
            cite=cite, exhibits=exhibits, og_chart=og_chart(self.page), data=data,
            dataset=edition and self.dataset(edition, cite, absolute),
            sizes=edition and self.sizes(edition),
            pdf_size=edition and pdf_size(self.request, edition),
            snippets=edition and downloads.snippets(absolute),
            share=edition and self.share(slug, edition, live),
            **kwargs,
        )  # fmt: skip

    def share(self, slug, edition, live):
        """The Share panel: the page's link and, for each chart an embed offers, the
        code of a responsive iframe: one that follows each new edition (on a live
        page) and one kept to ``edition``."""
        absolute = self.request.build_absolute_uri
        title = self.page["report"]["title"]
        embeds = []
        for name, what in EMBEDS.items():
            if name == "approvals" and not self.page["approvals"]["years"]:
                continue
            kinds = [("live", True)] if live else []
            for kind, follows in [*kinds, ("pinned", False)]:
                url = absolute(downloads.address("embed", slug, edition, follows, name=name))
                embeds.append({"id": f"embed-{name}-{kind}", "name": name, "what": what,
                               "follows": follows, "url": url,
                               "code": embed_code(url, f"{title}: {what}")})  # fmt: skip
        return {"link": absolute(self.request.path), "embeds": embeds}

    def sizes(self, edition):
        """{"csv", "xlsx", "json", "package"}: the size in bytes of each download of
        ``edition``, made as its address makes it; worked out once per edition and
        host (the files name their absolute addresses), as an edition never changes."""

        def measured():
            found = {fmt: len(data_response(edition, self.request, fmt, "").content)
                     for fmt in downloads.FORMATS}  # fmt: skip
            return {**found, "package": len(package_of(self.request, edition))}

        key = f"download-sizes:{edition.pk}:{self.request.get_host()}"
        return cache.get_or_set(key, measured, timeout=MADE_ONCE_SECONDS)

    def dataset(self, edition, cite, urls):
        """The schema.org Dataset of the edition the page shows (market/metadata.py),
        with the absolute ``urls`` of its downloads."""
        absolute = self.request.build_absolute_uri
        return metadata.dataset(
            edition.document,
            edition,
            page_url=absolute(self.request.path),
            edition_url=absolute(edition.get_absolute_url()),
            downloads=[(urls[kind], mediatype) for kind, mediatype in MEDIA_TYPES],
            citation_text=cite["text"],
        )

    def get_page_title(self):
        return self.page["report"]["title"]

    def get_page_description(self):
        return self.page["report"]["description"]


def og_chart(page, segment=None, segment_therapies=()):
    """The chart a page names as its link preview (templates/market/_og_image.html):
    {"name", "segment" (a slug or ""), "alt"}. A segment's page names its own
    market-size chart, or else its approvals per year, or else the report's chart."""
    unit = page["report"]["value_label"]
    if segment and segment["chart"]:
        alt = f"{segment['chart']['title']}, in {unit}"
        return {"name": "forecast", "segment": segment["slug"], "alt": alt}
    if segment and segment_therapies:
        alt = f"{segment['name']}: US approvals of gene therapies per year"
        return {"name": "approvals", "segment": segment["slug"], "alt": alt}
    alt = f"{page['total']['chart']['title']}, in {unit}"
    return {"name": "forecast", "segment": "", "alt": alt}


# The charts a page offers to embed (EmbedView), with what each shows.
EMBEDS = {"forecast": "market size and forecast", "approvals": "US approvals per year"}
EMBED_HEIGHT = "40rem"  # the chart and the top of its table; the rest scrolls


def embed_code(url, title):
    """The HTML another site pastes to show the embed at ``url``, as text: an iframe
    as wide as its column, titled for screen readers."""
    return (
        f'<iframe src="{escape(url)}" title="{escape(title)}" loading="lazy" '
        f'style="width: 100%; height: {EMBED_HEIGHT}; border: 0"></iframe>'
    )


@method_decorator(frameable_anywhere, name="dispatch")
class EmbedView(ReportPageMixin, TemplateView):
    """One chart of the report's latest edition, or of edition ``label``, with its
    table, title, source, edition and licence and a link back to the report: a
    page other sites may frame (every other page denies it)."""

    template_name = "market/embed.html"

    def get(self, request, *args, **kwargs):
        label = self.kwargs.get("label")
        edition = edition_at(self.kwargs["slug"], label)
        name = self.kwargs["name"]
        if name == "approvals" and not edition.document["approvals"]["years"]:
            raise Http404("This report lists no approvals.")
        return self.render_page(edition.document, edition.published_at, edition=edition,
                                live=label is None, chart=name)  # fmt: skip

    def get_context_data(self, **kwargs):
        title = f"{self.page['report']['title']}: {EMBEDS[kwargs['chart']]}"
        page_url = self.page["report"]["url"] if kwargs["live"] else (
            kwargs["edition"].get_absolute_url())  # fmt: skip
        return super().get_context_data(
            page_title=title, page_url=self.request.build_absolute_uri(page_url), **kwargs
        )


class EditionDetailView(ReportDetailView):
    """The report as it stood in one edition, at its permanent address."""

    def get(self, request, *args, **kwargs):
        edition = edition_of(self.kwargs["slug"], self.kwargs["label"])
        latest = edition.report.editions.public().newest()
        return self.render_page(edition.document, edition.published_at, edition=edition,
                                latest=latest)  # fmt: skip

    def get_page_title(self):
        return f"Edition {self.kwargs['label']} · {super().get_page_title()}"


class WorkingCopyView(ReportDetailView):
    """A report's working copy exactly as the public would see it once published,
    drafts included, with what it changes from the latest edition. Never cached, and
    marked so search engines skip it."""

    def working_copy(self, **lookup):
        return get_object_or_404(Report.objects.for_page().with_segment_companies(), **lookup)

    def get(self, request, *args, **kwargs):
        report = self.get_report()
        document = snapshot.document(report)
        latest = report.editions.public().newest()
        differs = latest and changes.compare(latest.document, document)
        last_changed = report.last_changed()
        response = self.render_page(
            document,
            last_changed,
            preview=report,
            last_changed=last_changed,
            preview_against=latest,
            preview_changes=differs,
            preview_unchanged=bool(differs) and changes.is_empty(differs),
        )
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
        exhibits = numbered([
            ("market", f"{found[0]['name']}: market size", bool(found[0]["chart"]),
             bool(found[0]["chart"])),
            ("therapies", "Approved therapies in this segment", False, bool(therapies)),
        ])  # fmt: skip
        return super().get_context_data(segment=found[0], segment_therapies=therapies,
                                        exhibits=exhibits,
                                        og_chart=og_chart(self.page, found[0], therapies),
                                        **kwargs)  # fmt: skip


def report_data(request, slug, fmt):
    """The yearly series and checks of the report's latest edition as CSV, XLSX or
    JSON (the numbers its page shows)."""
    return data_response(current_edition(slug), request, fmt, f"{slug}-forecast.{fmt}")


def file_response(body, content_type, edition, filename, *, inline=False):
    """A download of ``edition``: ``body`` under ``filename``, naming the data licence
    (a ``Link`` rel="license"), as any site may read it."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="{filename}"'
    )
    response["Link"] = f'<{edition.document["report"]["licence"]["url"]}>; rel="license"'
    return response


def data_response(edition, request, fmt, filename):
    """The yearly series and checks of ``edition`` as a CSV, XLSX or JSON download,
    with what a citation needs."""
    document = edition.document
    url = request.build_absolute_uri(edition.get_absolute_url())
    meta = {
        **report_meta(request, document),
        "edition": edition.label,
        "edition_url": url,
        "published_at": edition.published_at.isoformat(),
        "reviewed_on": edition.reviewed_on.isoformat(),
    }
    if fmt == "json":
        data = {"report": meta, **document["forecast"]}
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        return file_response(body, "application/json", edition, filename)
    if fmt == "csv":
        body = downloads.as_csv(downloads.rows(document, edition.label))
        return file_response(body, "text/csv; charset=utf-8", edition, filename)
    licence = meta["licence"]
    about = [
        ("Title", meta["title"]),
        ("Edition", f"{edition.label}, published {edition.published_at:%Y-%m-%d}"),
        ("Edition URL", url),
        ("Licence", f"{licence['name']} ({licence['url']})"),
        ("Cite as", citation.formats(document, edition, url)["text"]),
    ]
    body = downloads.as_xlsx(downloads.rows(document, edition.label), about)
    return file_response(body, XLSX, edition, filename)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Each download of an edition's data (downloads.addresses) and its media type.
MEDIA_TYPES = [("csv", "text/csv"), ("xlsx", XLSX), ("json", "application/json"),
               ("package", "application/zip")]  # fmt: skip


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
        self.report = get_object_or_404(Report.objects.published(), slug=self.kwargs["slug"])
        editions = list(self.report.editions.public().select_related("report"))
        if not editions:
            raise Http404("This report has no published edition yet.")
        return super().get_context_data(report=self.report, editions=editions, **kwargs)


def edition_of(slug, label):
    """The public edition ``label`` ('3', '2.1') of the report ``slug``, or a 404."""
    editions = Edition.objects.on_site().select_related("report").labelled(label)
    return get_object_or_404(editions, report__slug=slug)


def cite_edition(request, edition):
    """The ways to cite ``edition`` (market/citation.py), with its absolute address."""
    url = request.build_absolute_uri(edition.get_absolute_url())
    return citation.formats(edition.document, edition, url)


def edition_data(request, slug, label, fmt):
    """An edition's yearly series and checks, as they stood, as CSV, XLSX or JSON."""
    edition = edition_of(slug, label)
    return data_response(edition, request, fmt, f"{slug}-edition-{edition.label}-forecast.{fmt}")


# What is made once per edition (packages, download sizes) is kept a day: long
# enough to be made once for its readers, short enough that a new release of the
# site that changes how it is made is seen the next day at the latest.
MADE_ONCE_SECONDS = 24 * 3600


def package_of(request, edition):
    """The ZIP of ``edition``'s data package, built once and kept."""
    url = request.build_absolute_uri(edition.get_absolute_url())
    key = f"datapackage:{edition.pk}:{url}"
    body = cache.get(key)
    if body is None:
        document = edition.document
        body = datapackage.build(
            document,
            edition,
            edition_url=url,
            report_url=request.build_absolute_uri(document["report"]["url"]),
            citation_text=citation.formats(document, edition, url)["text"],
        )
        cache.set(key, body, timeout=MADE_ONCE_SECONDS)
    return body


def data_package(request, slug, label=None):
    """The data package (market/datapackage.py) of the report's latest edition, or
    of edition ``label``: a ZIP built once per edition and kept."""
    edition = edition_at(slug, label)
    filename = f"{slug}-edition-{edition.label}-datapackage.zip"
    return file_response(package_of(request, edition), "application/zip", edition, filename)


PDF_WAIT_SECONDS = 30  # the longest a reader waits for another's render of a PDF
_pdf_turns = threading.Lock()


def _pdf_key(request, edition):
    # Per host too: the PDF names its edition's absolute address.
    return f"report-pdf:{edition.pk}:{request.get_host()}"


def _pdf_shown_key(edition):
    """The key of the pages that show the size of ``edition``'s PDF (gtmp_site/core/shown.py)."""
    return f"{shown.key(Edition, edition.pk)}:pdf"


def pdf_size(request, edition):
    """The size in bytes of ``edition``'s PDF once it is made, else None: the page
    showing it is made again when it is (``pdf_of``)."""
    shown.note({_pdf_shown_key(edition)})
    return cache.get(f"{_pdf_key(request, edition)}:size")


def make_pdf(request, edition):
    """``edition`` as a PDF (market/pdf.py): its page's content, its charts drawn in."""
    started = time.perf_counter()
    document, label = edition.document, charts.edition_label(edition)
    charted = []
    for name in ("forecast", "approvals", "estimates"):
        try:
            charted.append((name, *_chart_of(document, name, label)))
        except Http404:  # a report without approvals or other estimates
            continue
    url = request.build_absolute_uri(edition.get_absolute_url())
    body = pdf.render(page_context(document), edition, charted, edition_url=url)
    log.info("Made the PDF of %s, edition %s, in %.1f s (%d bytes).", edition.report.slug,
             edition.label, time.perf_counter() - started, len(body))  # fmt: skip
    return body


def pdf_of(request, edition):
    """The PDF of ``edition``, made once and kept: while one request makes it,
    others asking for it wait for that one (up to PDF_WAIT_SECONDS) instead of
    making it again. Once made, the pages showing its size are made again."""
    key = _pdf_key(request, edition)
    lock = f"{key}:making"
    # cache.add is atomic on Redis across processes; the file cache's is not, so
    # the threads of one process also take turns here.
    with _pdf_turns:
        body = cache.get(key)
        if body is not None:
            return body
        mine = cache.add(lock, 1, timeout=PDF_WAIT_SECONDS) or cache.get(lock) is None  # no cache
    if mine:
        try:
            body = make_pdf(request, edition)
            cache.set_many({key: body, f"{key}:size": len(body)}, timeout=MADE_ONCE_SECONDS)
        finally:
            cache.delete(lock)
        content_changed({_pdf_shown_key(edition)})
        return body
    deadline = time.monotonic() + PDF_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.1)
        body = cache.get(key)
        if body is not None:
            return body
    return make_pdf(request, edition)  # the other request gave up


def report_pdf(request, slug, label=None):
    """The report's latest edition, or edition ``label``, as a PDF."""
    edition = edition_at(slug, label)
    filename = f"{slug}-edition-{edition.label}.pdf"
    return file_response(pdf_of(request, edition), "application/pdf", edition, filename,
                         inline=True)  # fmt: skip


CHART_IMAGE_SECONDS = 2 * 24 * 3600  # past the day its "today" mark is for


def chart_image(request, slug, name, fmt, label=None, segment=None):
    """The chart ``name`` of the report's latest edition, or of edition ``label``
    (of its segment with the slug ``segment``), as a PNG or SVG drawn on the
    server (market/chart_images.py)."""
    edition = edition_at(slug, label)
    document = edition.document
    licence = document["report"]["licence"]
    # An edition never changes, so each of its images is drawn once a day (for the
    # "today" mark) and kept, however many addresses and readers ask for it.
    day = timezone.localdate().isoformat()
    key = f"chart-image:{edition.pk}:{segment or ''}:{name}:{fmt}:{day}"
    body = cache.get(key)
    if body is None:
        label = charts.edition_label(edition)
        if segment is None:
            shown, draw, height = _chart_of(document, name, label)
        else:
            shown, draw, height = _segment_chart_of(document, segment, name, label)
        body = chart_images.render(draw, shown, licence=licence, fmt=fmt, height=height)
        cache.set(key, body, timeout=CHART_IMAGE_SECONDS)
    of = f"{segment}-{name}" if segment else name
    filename = f"{slug}-edition-{edition.label}-{of}.{fmt}"
    return file_response(body, chart_images.FORMATS[fmt], edition, filename, inline=True)


def _chart_of(document, name, edition_label):
    """(data, drawer, height in inches) of the chart ``name`` of a snapshot, built
    as the page builds it."""
    if name == "forecast":
        return _forecast_of(document, document["total"]["chart"], edition_label)
    if name == "approvals":
        if not document["approvals"]["years"]:
            raise Http404("This report lists no approvals.")
        shown = charts.approvals_for_page(document["approvals"], edition_label=edition_label)
        return shown, chart_images.draw_approvals, chart_images.HEIGHT_INCHES
    rows = document["estimates"]["rows"]
    if not rows:
        raise Http404("This report lists no other estimates.")
    shown = charts.estimates_for_page(
        rows, report=document["report"], headline=document["headline"], edition_label=edition_label
    )
    return shown, chart_images.draw_estimates, chart_images.estimates_height(shown)


def _forecast_of(document, chart, edition_label):
    """(data, drawer, height) of a snapshot's forecast ``chart``, dated today."""
    shown = charts.for_page(chart, report=document["report"], edition_label=edition_label,
                            today=timezone.localdate())  # fmt: skip
    return shown, chart_images.draw_forecast, chart_images.HEIGHT_INCHES


def _segment_chart_of(document, slug, name, edition_label):
    """(data, drawer, height in inches) of a segment's chart ``name``: its market
    size ("forecast"), or its approvals per year ("approvals")."""
    found = [s for s in document["segments"] if s["slug"] == slug]
    if not found:
        raise Http404("This report has no such segment.")
    segment = found[0]
    if name == "forecast":
        if not segment["chart"]:
            raise Http404("No market figures have been published for this segment.")
        return _forecast_of(document, segment["chart"], edition_label)
    shown = charts.approvals_for_page(
        document["approvals"], edition_label=edition_label, segment=segment["name"]
    )
    if shown is None:
        raise Http404("The FDA has approved no gene therapy in this segment yet.")
    return shown, chart_images.draw_approvals, chart_images.HEIGHT_INCHES


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
