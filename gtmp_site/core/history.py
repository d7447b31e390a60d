"""History as editors read it, and the way back: complete diffs of each version
(django-simple-history), reverting to a version and recovering deleted objects.
``ContentAdmin`` (admin_base.py) wires it in with the rest of the admin's rules."""

import difflib

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper


class HistoryDiffs(HistoricalRecordContextHelper):
    """Complete differences, never shortened: for prose both versions in full, with the
    words removed struck in the old one and the words added marked in the new one;
    old → new for everything else."""

    def stringify_delta_change_values(self, change, old, new):
        old, new = (", ".join(map(str, v)) if isinstance(v, list) else v for v in (old, new))
        if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > 60:
            return word_diff(old, new)
        return tuple(format_html("{}", "(empty)" if v in (None, "") else v) for v in (old, new))


def word_diff(old, new):
    """(old, new) as HTML: words only in ``old`` in <del>, words only in ``new`` in <ins>."""
    a, b = old.split(), new.split()
    before, after = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if op == "equal":
            before.append(format_html("{}", removed))
            after.append(format_html("{}", added))
            continue
        if removed:
            before.append(format_html("<del>{}</del>", removed))
        if added:
            after.append(format_html("<ins>{}</ins>", added))
    wrap = '<span class="word-diff">{}</span>'
    return (format_html(wrap, mark_safe(" ".join(before))),  # parts escaped above
            format_html(wrap, mark_safe(" ".join(after))))  # fmt: skip


class HistoryAdminMixin(SimpleHistoryAdmin):
    """History, diffs, revert and recover for a model admin. The admin it is mixed
    into provides ``_valid_key_or_404()`` and ``_as_one_write()`` (ContentAdmin)."""

    object_history_list_template = "admin/content_object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryDiffs(self.model, historical_record)

    def missing_parents(self, record):
        """(field, history record of the deleted parent) for each parent of ``record`` that
        no longer exists: those must be restored first."""
        missing = []
        for field in self.model._meta.concrete_fields:
            target_id = getattr(record, field.attname)
            if not field.many_to_one or target_id is None:
                continue
            target = field.related_model
            if not target._default_manager.filter(pk=target_id).exists():
                gone = getattr(target, "history", None)
                last = gone.filter(**{target._meta.pk.attname: target_id}).first() if gone else None
                missing.append((field, last))
        return missing

    def _recover_hint(self, missing):
        """'restore the segment “Cancer” first (recover)' for each missing parent."""
        parts = []
        for field, last in missing:
            opts = field.related_model._meta
            name = (
                f"{opts.verbose_name} “{self._record_label(last)}”" if last else opts.verbose_name
            )
            try:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_recover")
                link = format_html(' (<a href="{}">recover</a>)', url)
            except NoReverseMatch:
                link = ""
            parts.append((name, link))
        return format_html_join("; ", "restore the {} first{}", parts)

    def recover_view(self, request):
        """Deleted objects of this model, each linking to its last version to restore."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        live = self.model.objects.values("pk")
        deleted = (
            self.model.history.filter(history_type="-")
            .exclude(**{f"{self.model._meta.pk.attname}__in": live})
            .select_related("history_user")
            .order_by("-history_date")
        )
        opts = self.model._meta
        rows = []
        for record in deleted:
            missing = self.missing_parents(record)
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_simple_history",
                args=[record.instance.pk, record.history_id],
            )
            label = self._record_label(record)
            rows.append((record, label, None if missing else url, self._recover_hint(missing)))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Recover deleted {opts.verbose_name_plural}",
            "opts": opts,
            "deleted": rows,
        }
        return TemplateResponse(request, "admin/content_recover_list.html", context)

    @staticmethod
    def _record_label(record):
        try:
            return str(record.instance)
        except Exception:  # its __str__ reads a parent that is gone too
            return f"{record.instance._meta.verbose_name} #{record.instance.pk}"

    # django-simple-history's list puts one style attribute on its paginator;
    # only attributes are allowed, never <style> elements or scripts.
    @method_decorator(csp_update({"style-src-attr": [UNSAFE_INLINE]}))
    def history_view(self, request, object_id, extra_context=None):
        self._valid_key_or_404(object_id)  # django-simple-history would answer 500
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._valid_key_or_404(object_id)
        if not str(version_id).isdigit():
            raise Http404("No such version.")
        record = self.model.history.filter(history_id=version_id).first()
        if record is not None and not self.model.objects.filter(pk=object_id).exists():
            missing = self.missing_parents(record)
            if missing:  # restoring it would point at a parent that is gone
                self.message_user(
                    request,
                    format_html("This cannot be restored yet: {}.", self._recover_hint(missing)),
                    messages.ERROR,
                )
                opts = self.model._meta
                return HttpResponseRedirect(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_recover")
                )
        if request.method == "GET" and self.inlines:
            rows = ", ".join(str(i.model._meta.verbose_name_plural) for i in self.inlines)
            self.message_user(
                request,
                f"Restoring brings back the {self.model._meta.verbose_name}'s own fields and "
                f"links; its {rows} stay as they are now: edit those on its page.",
                messages.INFO,
            )
        return self._as_one_write(
            super().history_form_view, request, object_id, version_id, extra_context
        )
