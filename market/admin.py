from datetime import date

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from gtmp_site.core.admin_base import ContentAdmin, VersionedInlineMixin
from gtmp_site.core.fields import normalize_prose
from gtmp_site.core.prose import render_markdown
from market import editions, forecast, placeholders, prose_checks, where_used
from market.models import (
    AuditEvent,
    Country,
    Edition,
    MarketEstimate,
    MarketFigure,
    Region,
    Report,
    ReportSection,
    Segment,
    Submission,
    TextCheck,
)
from market.resources import MarketFigureResource
from market.spreadsheets import SpreadsheetAdminMixin


class SubmissionForm(forms.ModelForm):
    class Meta:
        model = Submission
        fields = ["note", "reviewed_on", "correction", "go_live_at"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
            "reviewed_on": forms.DateInput(attrs={"type": "date"}),
            # The format a datetime-local input reads back when the form is shown again.
            "go_live_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }


def change_url(row):
    """The admin page that edits ``row``: its own, or its parent's for a row edited
    inline there (an estimate on its report's page, an event on its company's)."""
    if not admin.site.is_registered(type(row)):
        parent = next(f for f in row._meta.fields
                      if f.many_to_one and admin.site.is_registered(f.related_model))  # fmt: skip
        return change_url(getattr(row, parent.name))
    return reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])


class ChecksMessagesMixin:
    """After a save that touches a report's numbers, its errors and warnings as
    messages: those the publish gate just found on the report as saved, when it
    judged one (a published report), so its prose is read once per save."""

    def report_of(self, obj):
        return obj.report

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        request.report_saved = self.report_of(form.instance)

    def after_write(self, request, judged):
        super().after_write(request, judged)
        report = getattr(request, "report_saved", None)
        if report is None:
            return
        report = next((r for r in judged if r == report), report)
        level_of = {forecast.ERROR: messages.ERROR, forecast.WARNING: messages.WARNING}
        for check in report.checks_as_judged():
            if check.level in level_of:
                self.message_user(request, f"Check: {check.message}", level_of[check.level])


class WhereUsedMixin:
    """A read-only "where it shows" on the change form: the placeholders of the
    report's prose that read the row, and its pages, API resources and downloads
    (market/where_used.py). A subclass sets ``where_used_of`` to the function."""

    where_used_of = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.readonly_fields = [*cls.readonly_fields, "where_used"]

    @admin.display(description="where it shows")
    def where_used(self, obj):
        if obj is None or obj.pk is None:
            return "Shown once it is saved."
        uses, places = self.where_used_of(obj)
        read = (
            format_html(
                "Read by these placeholders of the report's prose; changing it changes "
                "what they say, and deleting it is refused while published prose needs it:"
                "<ul>{}</ul>",
                format_html_join("", "<li>{}: <code>{}</code></li>", uses),
            )
            if uses
            else "No placeholder of the report's prose reads it."
        )
        shown = format_html_join(
            "", '<li>{}: <a href="{}">{}</a></li>', ((kind, url, url) for kind, url in places)
        )
        return format_html("<div>{}</div><p>Shown on:</p><ul>{}</ul>", read, shown)


@admin.register(Report)
class ReportAdmin(ChecksMessagesMixin, ContentAdmin):
    change_form_template = "admin/market/report_change_form.html"
    list_display = ["title", "status", "published_at", "base_year", "forecast_period", "updated_at"]
    list_filter = ["status", "region"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    readonly_fields = [
        "created_at", "updated_at", "working_copy", "edition_state", "consistency_checks",
        "facts_to_check",
    ]  # fmt: skip
    fieldsets = [
        ("The working copy", {"fields": ["working_copy", "edition_state"]}),
        (None, {"fields": ["title", "slug", "summary", "region"]}),
        (
            "Market size and forecast",
            {
                "fields": [
                    ("currency", "unit"),
                    "base_year",
                    ("forecast_start_year", "forecast_end_year"),
                    "stated_cagr",
                    "consistency_checks",
                ]
            },
        ),
        ("Methodology and sources", {"fields": ["methodology", "sources", "data_licence"]}),
        ("Facts to check again", {"fields": ["facts_to_check"]}),
        ("Publication", {"fields": ["status", "published_at", ("created_at", "updated_at")]}),
    ]
    # The report's rows, each kind edited in its own list (never all on this page,
    # which must stay fast however large the report grows). companies and faq add
    # theirs (top companies, questions) with add_part(), so market imports neither.
    parts = [Segment, MarketFigure, ReportSection, MarketEstimate]

    @classmethod
    def add_part(cls, model):
        """List another app's rows of a report on the report's desk, after the others."""
        cls.parts = [*cls.parts, model]

    def get_urls(self):
        editions = path(
            "<path:object_id>/editions/",
            self.admin_site.admin_view(self.editions_view),
            name="market_report_editions",
        )
        prose = path(
            "<path:object_id>/prose/",
            self.admin_site.admin_view(self.prose_view),
            name="market_report_prose",
        )
        return [editions, prose, *super().get_urls()]

    def prose_view(self, request, object_id):
        """For the checks panel and insert menu beside each prose field of the report
        and its rows (static/js/prose_tools.js). GET: the placeholders the report can
        fill, with what each gives now. POST ``text`` (and ``where``, the field's
        label): the checks of that text and the text as readers will see it."""
        report = self.get_object(request, object_id)
        if report is None or not self.has_change_permission(request, report):
            return JsonResponse({"detail": "Not found."}, status=404)
        facts = self.page_copy(report).facts
        if request.method == "GET":
            return JsonResponse({"placeholders": prose_checks.menu(facts)})
        text = normalize_prose(request.POST.get("text", ""))
        where = request.POST.get("where", "This text")[:100]
        return JsonResponse({
            "items": prose_checks.check(text, facts, where),
            "preview": str(render_markdown(placeholders.render(text, facts))),
        })  # fmt: skip

    def editions_view(self, request, object_id):
        """The report's editions and its next one: submit the working copy for review,
        publish it or send it back (market/editions.py has the rules)."""
        report = self.get_object(request, object_id)
        if report is None or not self.has_change_permission(request, report):
            raise Http404("No such report.")
        pending = report.submissions.filter(state=Submission.State.PENDING).first()
        submit_form = SubmissionForm(prefix="submit")
        if request.method == "POST":
            try:
                done = self._edition_step(request, report, pending)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
                done = None
            if isinstance(done, SubmissionForm):
                submit_form = done  # invalid: shown again with its errors and input
            else:
                return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": report,
            "title": f"Editions of {report}",
            "editions": report.editions.select_related("published_by"),
            "pending": pending,
            "may_approve": pending and editions.may_approve(pending, request.user),
            "submit_form": submit_form,
            "checks": [c for c in report.checks() if c.level == forecast.ERROR],
            "submissions": report.submissions.select_related("submitted_by", "decided_by")[:20],
            "review": settings.EDITIONS_REVIEW,
            "share_links": [
                (
                    link,
                    reverse(
                        "market:shared-preview", args=[report.slug, editions.share_token(link)]
                    ),
                )
                for link in report.share_links.select_related("created_by")
                if link.is_active
            ],
            "share_days": settings.SHARE_LINK_DAYS,
            "may_change_visibility": editions.may_change_visibility(request.user),
            "now": timezone.now(),
        }
        return TemplateResponse(request, "admin/market/report_editions.html", context)

    def _edition_step(self, request, report, pending):
        steps = {
            "submit": self._submit, "share": self._share, "revoke": self._revoke,
            "publish": self._publish, "send-back": self._send_back,
            "reschedule": self._reschedule, "withdraw": self._withdraw,
        }  # fmt: skip
        step = steps.get(request.POST.get("step"))
        if step is None:
            raise ValidationError("Unknown step.")
        if step in (self._publish, self._send_back) and (
            pending is None or str(pending.pk) != request.POST.get("submission")
        ):
            raise ValidationError("This submission was already decided; see below.")
        return step(request, report, pending)

    def _submit(self, request, report, pending):
        form = SubmissionForm(request.POST, prefix="submit")
        if not form.is_valid():
            return form
        done = editions.submit(report, request.user, **form.cleaned_data)
        if isinstance(done, Edition):
            messages.success(request, f"Edition {done.label} is published.")
        else:
            messages.success(request, "Submitted for review by a publisher.")
        return done

    def _publish(self, request, report, pending):
        edition = editions.approve(pending, request.user)
        messages.success(request, f"Edition {edition.label} is published.")
        return edition

    def _send_back(self, request, report, pending):
        comment = request.POST.get("comment", "").strip()
        if not comment:
            raise ValidationError("Say why it goes back, for the editor who submitted it.")
        return editions.send_back(pending, request.user, comment)

    def _share(self, request, report, pending):
        link, token = editions.share(report, request.user)
        url = request.build_absolute_uri(
            reverse("market:shared-preview", args=[report.slug, token])
        )
        until = f"{link.expires_at:%d %B %Y, %H:%M} UTC"
        messages.success(
            request, f"Anyone with this link can read the preview until {until}: {url}"
        )
        return link

    def _edition_posted(self, request, report):
        edition = report.editions.filter(pk=request.POST.get("edition")).first()
        if edition is None:
            raise ValidationError("No such edition.")
        field = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M"])
        try:
            at = field.clean(request.POST.get("at", ""))
        except ValidationError:
            raise ValidationError("Give the time as the date and time fields show it.") from None
        return edition, at  # aware, in the site's time zone

    def _reschedule(self, request, report, pending):
        edition, at = self._edition_posted(request, report)
        if at is None:
            raise ValidationError("Give the new go-live time.")
        editions.reschedule(edition, request.user, at)
        messages.success(
            request, f"Edition {edition.label} now goes public on {at:%d %B %Y, %H:%M}."
        )
        return edition

    def _withdraw(self, request, report, pending):
        edition, at = self._edition_posted(request, report)
        editions.withdraw(edition, request.user, at)
        messages.success(request, f"Edition {edition.label} is withdrawn from the site"
                         f"{f' on {at:%d %B %Y, %H:%M}' if at else ''}.")  # fmt: skip
        return edition

    def _revoke(self, request, report, pending):
        link = report.share_links.filter(pk=request.POST.get("link")).first()
        if link is None:
            raise ValidationError("No such preview link.")
        editions.revoke(link, request.user)
        messages.success(request, "The preview link no longer works.")
        return link

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else fieldsets[1:]  # a new report has no rows yet

    @staticmethod
    def page_copy(obj):
        """``obj`` with every row its page shows prefetched, loaded once per request
        for the desk's panels (checks, facts to check, what changed)."""
        if not hasattr(obj, "_page_copy"):
            obj._page_copy = Report.objects.for_page().with_segment_companies().get(pk=obj.pk)
        return obj._page_copy

    @admin.display(description="parts")
    def working_copy(self, obj):
        """Each kind of row the report has, with its count and a link to its own list."""
        rows = []
        for model in self.parts:
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            count = model._default_manager.filter(report=obj).count()
            rows.append(
                (f"{url}?report={obj.pk}", capfirst(opts.verbose_name_plural), count,
                 f"{add}?report={obj.pk}", opts.verbose_name)
            )  # fmt: skip
        items = format_html_join(
            "",
            '<tr><th scope="row"><a href="{}">{}</a></th><td class="num">{}</td>'
            '<td><a href="{}">Add a {}</a></td></tr>',
            rows,
        )
        region = ""
        if obj.region_id:
            url = reverse("admin:market_region_change", args=[obj.region_id])
            region = format_html('<p>Region: <a href="{}">{}</a></p>', url, obj.region)
        return format_html(
            '<table class="desk-parts"><thead><tr><th scope="col">Part</th>'
            '<th scope="col" class="num">Rows</th><th scope="col"></th></tr></thead>'
            "<tbody>{}</tbody></table>{}",
            items,
            region,
        )

    @admin.display(description="editions")
    def edition_state(self, obj):
        """The latest edition, a submission waiting for review, and what the working
        copy changes from the latest edition, with the page that acts on them."""
        latest = obj.editions.public().newest()
        pending = obj.submissions.filter(state=Submission.State.PENDING).first()
        lines = ["No edition published yet.", "Nothing waiting for review."]
        if latest:
            lines[0] = f"Latest edition: {latest.label}, published {latest.published_at:%-d %B %Y}."
            # A cheap test on every view of the desk; the preview lists what differs
            # (building the working copy's document costs too much for this page).
            changed = self.page_copy(obj).last_changed()
            lines.append(
                f"The working copy changed after it, last on {changed:%-d %B %Y, %H:%M}: "
                "the preview lists what differs."
                if changed and changed > latest.created_at
                else "The working copy has not changed since it."
            )
        if pending:
            lines[1] = (
                f"Submitted for review by {pending.submitted_by} on {pending.created_at:%-d %B %Y}."
            )
        return format_html(
            '<ul>{}</ul><p><a href="{}">Submit, publish or schedule an edition</a> · '
            '<a href="{}">Preview the working copy</a></p>',
            format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
            reverse("admin:market_report_editions", args=[obj.pk]),
            obj.get_preview_url(),
        )

    def view_on_site(self, obj):
        """The public page once the report is public, its preview before."""
        return obj.get_absolute_url() if obj.is_public else obj.get_preview_url()

    # The desk lists this many facts not checked lately, and this many checks (errors
    # first); the rest are counted, so the page stays small however large the report.
    STALE_SHOWN = 20
    CHECKS_SHOWN = 30

    @admin.display(description="not checked lately")
    def facts_to_check(self, obj):
        """The report's facts not checked against their sources lately, with links."""
        if obj.pk is None:
            return "Shown once the report is saved."
        days = settings.FACTS_STALE_AFTER_DAYS
        stale = sorted(  # never checked first, then the oldest
            self.page_copy(obj).stale_facts(),
            key=lambda fact: (fact[1].checked_on is not None, fact[1].checked_on or date.min),
        )
        if not stale:
            return f"Every fact was checked within the last {days} days."
        shown, more = stale[: self.STALE_SHOWN], len(stale) - self.STALE_SHOWN
        items = format_html_join(
            "",
            '<li><a href="{}">{}: {}</a> — {}</li>',
            (
                (change_url(row), kind, row,
                 f"checked {row.checked_on:%-d %B %Y}" if row.checked_on else "never checked")
                for kind, row in shown
            ),
        )  # fmt: skip
        rest = format_html(
            "<p>… and {} more, the oldest listed first. Each kind's list filters by "
            "its checked-on date.</p>", more,
        ) if more > 0 else ""  # fmt: skip
        return format_html(
            "<p>{} {} not checked against their sources in the last {} days:</p><ul>{}</ul>{}",
            len(stale), "fact" if len(stale) == 1 else "facts", days, items, rest,
        )  # fmt: skip

    @staticmethod
    def check_link(obj, check):
        """(url, label) of where the editor fixes what ``check`` is about: its text's
        field; the stated CAGR on this page; else the report's figures."""
        if isinstance(check, TextCheck):
            field = check.row._meta.get_field(check.field).verbose_name
            return f"{change_url(check.row)}#id_{check.field}", f"Edit the {field}"
        if check.code == "cagr-mismatch":
            return "#id_stated_cagr", "Edit the stated CAGR"
        return (
            f"{reverse('admin:market_marketfigure_changelist')}?report={obj.pk}",
            "Edit the figures",
        )

    @admin.display(description="consistency checks")
    def consistency_checks(self, obj):
        """What the forecast engine finds wrong with the saved figures."""
        if obj.pk is None:
            return "Shown once the report is saved."
        copy = self.page_copy(obj)
        result = copy.forecast()
        checks = copy.checks()
        implied = result.implied_cagr
        start, end = result.implied_period or (obj.forecast_start_year, obj.forecast_end_year)
        summary = format_html(
            "<p>Implied CAGR over {}–{}: <strong>{}</strong> (stated: {} over {}–{})</p>",
            start,
            end,
            forecast.percent_text(implied) if implied is not None else "not computable",
            forecast.percent_text(result.stated_cagr) if result.stated_cagr is not None else "none",
            obj.forecast_start_year,
            obj.forecast_end_year,
        )
        if not checks:
            return format_html("{}<p>No problems found.</p>", summary)
        order = {forecast.ERROR: 0, forecast.WARNING: 1}
        checks = sorted(checks, key=lambda c: order.get(c.level, 2))  # errors first
        items = format_html_join(
            "",
            '<li class="check-{}"><strong>{}:</strong> {} <a href="{}">{}</a></li>',
            (
                (c.level, c.level.capitalize(), c.message, *self.check_link(obj, c))
                for c in checks[: self.CHECKS_SHOWN]
            ),
        )
        rest = checks[self.CHECKS_SHOWN :]
        more = (
            format_html(
                "<p>… and {} more ({} errors). The checks panel beside each text lists "
                "its own.</p>",
                len(rest),
                sum(c.level == forecast.ERROR for c in rest),
            )
            if rest
            else ""
        )
        return format_html("{}<ul>{}</ul>{}", summary, items, more)

    def report_of(self, obj):
        return obj

    @admin.display(description="forecast period")
    def forecast_period(self, obj):
        return f"{obj.forecast_start_year}–{obj.forecast_end_year}"


@admin.register(Segment)
class SegmentAdmin(WhereUsedMixin, ChecksMessagesMixin, ContentAdmin):
    where_used_of = staticmethod(where_used.of_segment)
    list_display = ["name", "report", "position", "updated_at"]
    list_filter = ["report"]
    list_select_related = ["report"]
    search_fields = ["name", "overview", "outlook"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(MarketFigure)
class MarketFigureAdmin(WhereUsedMixin, ChecksMessagesMixin, SpreadsheetAdminMixin, ContentAdmin):
    where_used_of = staticmethod(where_used.of_figure)
    resource_classes = [MarketFigureResource]
    list_display = ["report", "scope", "year", "value", "kind", "source"]
    list_filter = ["report", "kind", "segment", "year", "checked_on"]
    list_select_related = ["report", "segment"]
    search_fields = ["source", "note", "segment__name"]
    ordering = ["report", "segment__position", "year"]

    @admin.display(description="scope", ordering="segment__position")
    def scope(self, obj):
        return obj.segment.name if obj.segment_id else "Whole market"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "segment":
            kwargs["queryset"] = Segment.objects.select_related("report")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(MarketEstimate)
class MarketEstimateAdmin(ContentAdmin):
    list_display = ["publisher", "report", "scope", "base", "forecast", "cagr", "cagr_period"]
    list_filter = ["report", "geography", "checked_on"]
    list_select_related = ["report"]
    search_fields = ["publisher", "notes"]
    fieldsets = [
        (None, {"fields": ["report", ("publisher", "position")]}),
        ("What it counts", {"fields": [("scope", "geography", "breadth")]}),
        (
            "Figures",
            {
                "fields": [
                    ("base_year", "base_value"),
                    ("forecast_year", "forecast_value"),
                    ("cagr", "cagr_period"),
                ]
            },
        ),
        ("Notes and source", {"fields": ["notes", ("source_url", "checked_on")]}),
    ]

    @admin.display(description="base")
    def base(self, obj):
        return f"{obj.base_value} ({obj.base_year})" if obj.base_value is not None else "—"

    @admin.display(description="forecast")
    def forecast(self, obj):
        if obj.forecast_value is None:
            return "—"
        return f"{obj.forecast_value} ({obj.forecast_year})"


@admin.register(ReportSection)
class ReportSectionAdmin(ContentAdmin):
    list_display = ["title", "kind", "report", "position"]
    list_filter = ["kind", "report"]
    list_select_related = ["report"]
    search_fields = ["title", "body"]


class CountryInline(VersionedInlineMixin, admin.TabularInline):
    model = Country
    extra = 0
    fields = ["position", "name", "code"]


@admin.register(Region)
class RegionAdmin(ContentAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "countries__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CountryInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only trail of publishing and imports."""

    list_display = ["created_at", "action", "subject", "user", "detail"]
    list_filter = ["action", "created_at"]
    search_fields = ["subject", "detail", "user__username"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
