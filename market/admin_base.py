"""What every content admin shares: history with rollback, and no lost updates.

Django's admin saves whatever the form holds, even when a colleague saved the
same object after the page was opened. Here each form carries the version it
was opened at; a save based on an older version is refused with a message
naming who changed what, and the editor's input stays in the form.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from market.audit import record_import
from market.versioning import StaleObjectError


def conflict_message(instance, opened_version):
    """Who saved the object since ``opened_version``, when, and which fields changed."""
    history = instance.history.order_by("history_date", "history_id")
    opened = history.filter(version=opened_version).last()
    latest = history.last()
    who = (latest.history_user.get_username() if latest and latest.history_user else None) or (
        "another editor"
    )
    when = timezone.localtime(latest.history_date).strftime("%H:%M on %d %b %Y") if latest else ""
    changed = ""
    if opened and latest and opened.pk != latest.pk:
        fields = [
            instance._meta.get_field(change.field).verbose_name
            for change in latest.diff_against(opened).changes
        ]
        changed = f" They changed: {', '.join(fields)}." if fields else ""
    return (
        f"Not saved: {who} saved this {instance._meta.verbose_name} at {when}, after you "
        f"opened it.{changed} Your input is still in the form below. Open the current "
        "version in a new tab, then reload this page and apply your changes to it."
    )


class VersionedAdminForm(forms.ModelForm):
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is not None:
            if getattr(instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) is not None:
                # Reverting to a past version: compare with the version saved now.
                current = self._current_version()
                self.fields["opened_version"].initial = current
            else:
                self.fields["opened_version"].initial = instance.version

    def _current_version(self):
        model = type(self.instance)
        return model.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("opened_version")
        if self.instance.pk is None or opened is None:
            return cleaned
        current = self._current_version()
        if current is not None and current != opened:
            raise ValidationError(conflict_message(self.instance, opened), code="conflict")
        return cleaned

    def save(self, commit=True):
        opened = self.cleaned_data.get("opened_version")
        if opened is not None:
            # The UPDATE only succeeds if the row is still at the version the editor saw.
            self.instance.version = opened
        return super().save(commit)


class VersionedInlineMixin:
    form = VersionedAdminForm


class ContentAdmin(SimpleHistoryAdmin):
    """History, diffs and rollback (django-simple-history), recovery of deleted
    objects, and lost-update protection."""

    form = VersionedAdminForm
    change_list_template = "admin/content_change_list.html"

    def get_urls(self):
        opts = self.model._meta
        recover = path(
            "recover/",
            self.admin_site.admin_view(self.recover_view),
            name=f"{opts.app_label}_{opts.model_name}_recover",
        )
        return [recover, *super().get_urls()]

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
        context = {
            **self.admin_site.each_context(request),
            "title": f"Recover deleted {opts.verbose_name_plural}",
            "opts": opts,
            "deleted": [
                (
                    record,
                    reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_simple_history",
                        args=[record.instance.pk, record.history_id],
                    ),
                )
                for record in deleted
            ],
        }
        return TemplateResponse(request, "admin/content_recover_list.html", context)

    def changeform_view(self, request, *args, **kwargs):
        return self._refusing_stale_saves(super().changeform_view, request, *args, **kwargs)

    def history_form_view(self, request, *args, **kwargs):
        return self._refusing_stale_saves(super().history_form_view, request, *args, **kwargs)

    def _refusing_stale_saves(self, view, request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except StaleObjectError as exc:  # a save landed between the form check and ours
            self.message_user(
                request, f"Not saved: {exc} Reload and apply your changes again.", messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())


class SpreadsheetAdminMixin(ImportExportMixin):
    """CSV and XLSX import (dry run first, all rows or none) and export of the filtered list."""

    formats = [CSV, XLSX]

    def get_import_data_kwargs(self, **kwargs):
        # One invalid row rolls back the whole import, on the confirm step too.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        record_import(user=request.user, model=self.model, totals=result.totals)
        return super().process_result(result, request)
