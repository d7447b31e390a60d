"""What every content admin shares: history with rollback, and no lost edits.

Django's admin saves whatever the form holds, even when a colleague saved the
same object after the page was opened. Here every form an editor can send
(change form, inline row, list-editable row, revert, delete confirmation)
carries the version it was opened at, whatever its fieldsets say. A save
based on an older version is merged when it can be: the fields only the
colleague changed keep their values, the editor's own changes are applied,
and the editor is told so. Only a field both changed is a conflict, shown
with both values; saving again keeps what the form then holds.

``ContentAdmin`` and ``VersionedInlineMixin`` carry it; gtmp_site/core/checks.py
refuses an admin of a versioned model that does not use them.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages.storage import default_storage
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from simple_history.models import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.utils import get_m2m_reverse_field_name

from gtmp_site.core import gate, merge
from gtmp_site.core.fields import (
    FiniteDecimalField,
    SafeModelChoiceField,
    SafeModelMultipleChoiceField,
    is_valid_key,
    normalize_prose,
)
from gtmp_site.core.gate import PublishRefused
from gtmp_site.core.history import HistoryAdminMixin
from gtmp_site.core.models import LOADED, OpenEditor
from gtmp_site.core.versioning import StaleObjectError

OPENED, REVIEWED = "opened_version", "reviewed_version"
VERSION_FIELDS = (OPENED, REVIEWED)
NO_VERSION_MESSAGE = (
    "This form was sent without the version it was opened at, so saving it could "
    "overwrite a colleague's change. Reload the page and make your change again."
)


SAME_VERSION_MESSAGE = "Nothing to restore: this version holds the same values as the current one."


def saved_by(record):
    """'alice (14:05 on 25 Nov 2026)': who made a history record, and when."""
    if record is None:
        return "another editor"
    if record.history_user:
        who = record.history_user.get_username()
    else:
        who = "the starting content" if record.history_change_reason == LOADED else "another editor"
    return f"{who} ({timezone.localtime(record.history_date):%H:%M on %d %b %Y})"


def _comparable(field, value):
    """``value`` of model ``field`` in a form that compares equal when it means the same."""
    if field.many_to_many:
        return frozenset(v.pk if isinstance(v, models.Model) else v for v in value or ())
    if field.is_relation:
        return value.pk if isinstance(value, models.Model) else value
    if isinstance(value, str):
        return normalize_prose(value)
    return value


def _shown(field, value):
    if field.many_to_many:
        return ", ".join(map(str, value)) or "(none)"
    if value in (None, ""):
        return "(empty)"
    return str(value)


class VersionedAdminForm(forms.ModelForm):
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # Set when a conflict was shown: saving again keeps what the form then holds.
    reviewed_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.merge_note = None
        self._save_onto = None
        if self.instance.pk is not None:
            current = self._current_row()
            self.fields[OPENED].initial = current.version if current else None
        if self._reverting:
            # The instance of a past version reads its many-to-many links as they are
            # now; the form shows (and a revert restores) those of the version.
            record = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME)
            kept = {f.name for f in getattr(record, "_history_m2m_fields", ())}
            for field in self._model_fields():
                if field.many_to_many and field.name in kept:
                    self.initial[field.name] = self._base_value(record, field)

    @property
    def _reverting(self):
        return getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) is not None

    def _current_row(self):
        """The row as saved now (the instance itself, unless it is a past version)."""
        if not self._reverting:
            return self.instance if not self.instance._state.adding else None
        model = type(self.instance)
        return model._default_manager.filter(pk=self.instance.pk).first()

    def has_changed(self):
        return any(name not in VERSION_FIELDS for name in self.changed_data)

    def _model_fields(self):
        opts = self.instance._meta
        fields = []
        for name in self.fields:
            try:
                field = opts.get_field(name)
            except FieldDoesNotExist:  # a form-only field
                continue
            if field.concrete or field.many_to_many:
                fields.append(field)
        return fields

    def clean(self):
        cleaned = super().clean()
        current = self._current_row() if self.instance.pk is not None else None
        if current is None:  # adding, or restoring a deleted object: nothing to overwrite
            return cleaned
        opened = cleaned.get(OPENED)
        if self.add_prefix(OPENED) not in self.data or opened is None:
            raise ValidationError(NO_VERSION_MESSAGE, code="no-version")
        if self._reverting and not self._differs_from(current, cleaned):
            raise ValidationError(SAME_VERSION_MESSAGE, code="same-version")
        self._save_onto = current.version
        if opened != current.version:
            self._merge(opened, current, cleaned)
        return cleaned

    def _differs_from(self, current, cleaned):
        return any(
            _comparable(f, cleaned[f.name]) != _comparable(f, self._value(current, f))
            for f in self._model_fields()
            if f.name in cleaned
        )

    def _merge(self, opened, current, cleaned):
        """Apply this editor's changes onto ``current``; refuse fields both changed
        (gtmp_site/core/merge.py decides which)."""
        history = type(current).history.filter(**{current._meta.pk.attname: current.pk})
        base = history.filter(version=opened).order_by("-history_date", "-history_id").first()
        latest = history.order_by("-history_date", "-history_id").first()
        fields = [f for f in self._model_fields() if f.name in cleaned]
        result = merge.three_way(
            None
            if base is None
            else {f: _comparable(f, self._base_value(base, f)) for f in fields},
            {f: _comparable(f, self._value(current, f)) for f in fields},
            {f: _comparable(f, cleaned[f.name]) for f in fields},
        )

        def names(group):
            return ", ".join(str(f.verbose_name) for f in fields if f in group)

        who = saved_by(latest)
        if result.conflicts and cleaned.get(REVIEWED) != current.version:
            self.data = self.data.copy()
            self.data[self.add_prefix(REVIEWED)] = str(current.version)
            for field in result.conflicts:
                self.add_error(field.name, self._conflict_error(field, current, who))
            raise ValidationError(
                f"Not saved: {who} saved this {self.instance._meta.verbose_name} after you "
                f"opened it, and changed {names(result.conflicts)} as you did. Both values "
                "are shown at each field; your input is still in the form. Save again to keep "
                "what the form holds.",
                code="conflict",
            )
        for field in result.kept:
            cleaned[field.name] = self._value(current, field, as_objects=True)
        if result.theirs and result.applied:  # worth a word where changes were merged
            kept = f"their change to {names(result.kept)} is kept" if result.kept else ""
            applied = f"your change to {names(result.applied)} is applied"
            self.merge_note = (
                f"{capfirst(self.instance._meta.verbose_name)} “{current}” was also saved by "
                f"{who} after you opened it: " + "; ".join(p for p in (kept, applied) if p) + "."
            )

    @staticmethod
    def _value(obj, field, as_objects=False):
        if field.many_to_many:
            related = getattr(obj, field.name).all()
            return related if as_objects else [o.pk for o in related]
        return getattr(obj, field.name if as_objects else field.attname)

    @staticmethod
    def _base_value(record, field):
        if field.many_to_many:
            target = get_m2m_reverse_field_name(field)
            return [getattr(row, f"{target}_id") for row in getattr(record, field.name).all()]
        return getattr(record, field.attname)

    def _conflict_error(self, field, current, who):
        theirs = _shown(field, self._value(current, field, as_objects=True))
        return ValidationError(
            "Changed by %(who)s too. Their value: “%(theirs)s”. Yours is in the field.",
            code="conflict",
            params={"who": who, "theirs": theirs},
        )

    def save(self, commit=True):
        if self._save_onto is not None:
            # The UPDATE succeeds only if the row is still at the version merged onto.
            self.instance.version = self._save_onto
        return super().save(commit)


class VersionedInlineFormSet(BaseInlineFormSet):
    """Refuses to delete a row that a colleague changed after the page was opened."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            row = form.instance
            if row.pk is None:
                continue
            opened = form.data.get(form.add_prefix(OPENED))
            if str(row.version) != str(opened):
                latest = row.history.order_by("-history_date", "-history_id").first()
                raise ValidationError(
                    f"{capfirst(row._meta.verbose_name)} “{row}” was not deleted: "
                    f"{saved_by(latest)} changed it after you opened this page. "
                    "Review their change, then delete it again."
                )


class SafeAutocompleteSelect(AutocompleteSelect):
    """Re-renders a form holding a value that is no key at all (Django's widget would
    look it up and raise) by leaving it unselected; the field reports the error."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        return super().optgroups(name, [v for v in value if is_valid_key(target, v)], attr)


class ListRowForm(VersionedAdminForm):
    """One row of a list with editable columns. Django renders those inputs with no
    label, so each is named after its column and row, for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{field.label}: {self.instance}"


class ContentFormsMixin:
    """Renders the version fields in every form, whatever its fieldsets list, and
    gives every form fields that answer any input with a message, not a 500."""

    SAFE_FORM_FIELDS = {
        models.DecimalField: FiniteDecimalField,
        models.ForeignKey: SafeModelChoiceField,
        models.ManyToManyField: SafeModelMultipleChoiceField,
    }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        for db_class, form_class in self.SAFE_FORM_FIELDS.items():
            if isinstance(db_field, db_class) and not db_field.choices:
                kwargs.setdefault("form_class", form_class)
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, AdminSplitDateTime):
            # Django labels the field's date input alone; each half gets a name.
            label = capfirst(db_field.verbose_name)
            for part, widget in zip(("date", "time"), formfield.widget.widgets, strict=True):
                widget.attrs["aria-label"] = f"{label}: {part}"
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        missing = [name for name in VERSION_FIELDS if name not in flatten_fieldsets(fieldsets)]
        if not missing:
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], *missing]}), *rest]


class VersionedInlineMixin(ContentFormsMixin):
    form = VersionedAdminForm
    formset = VersionedInlineFormSet


class DatedEventInline(VersionedInlineMixin, admin.TabularInline):
    """The dated, sourced events of a company or a product, one row each."""

    extra = 0
    fields = ["year", "month", "day", "kind", "summary", "source_url", "checked_on"]


PUBLIC_NOW = "Public now: a change here shows on the site once it is saved."


def visibility(obj):
    """(public, sentence) for ``obj``'s change form: whether readers can see it now,
    and if not, why and what would make it public (its model's ``hidden_because()``).
    A model with no ``published()`` of its own is shown with its parent (an estimate
    with its report, an event with its company); ``None`` for content of neither
    kind. A model whose public pages show a snapshot says so in ``public_note``."""
    model = type(obj)
    if not hasattr(model.objects, "published"):
        parent = next(
            (getattr(obj, f.name) for f in model._meta.fields
             if f.many_to_one and hasattr(f.related_model.objects, "published")
             and getattr(obj, f.attname) is not None),
            None,
        )  # fmt: skip
        if parent is None:
            return None
        public, sentence = visibility(parent)
        return public, f"Shown with its {parent._meta.verbose_name} “{parent}”. {sentence}"
    if model.objects.published().filter(pk=obj.pk).exists():
        return True, getattr(obj, "public_note", PUBLIC_NOW)
    return False, f"Not public. {obj.hidden_because()}"


class ContentAdmin(ContentFormsMixin, HistoryAdminMixin):
    """History, diffs and rollback (django-simple-history), recovery of deleted
    objects, and no lost edits on every form (see the module docstring)."""

    form = VersionedAdminForm
    change_list_template = "admin/content_change_list.html"
    delete_confirmation_template = "admin/content_delete_confirmation.html"

    change_form_template = "admin/content_change_form.html"
    # An editor whose page has not reported for this long has left it.
    EDITING_TIMEOUT = timedelta(seconds=30)

    def get_urls(self):
        opts = self.model._meta
        recover = path(
            "recover/",
            self.admin_site.admin_view(self.recover_view),
            name=f"{opts.app_label}_{opts.model_name}_recover",
        )
        editing = path(
            "<path:object_id>/editing/",
            self.admin_site.admin_view(self.editing_view),
            name=f"{opts.app_label}_{opts.model_name}_editing",
        )
        return [recover, editing, *super().get_urls()]

    def editing_view(self, request, object_id):
        """Called by the change page every few seconds: note that this editor has the
        object open; answer who else has, and whether it was saved since it was opened.

        POST ``version`` (the version the page shows); ``leave=1`` when the page closes.
        """
        if request.method != "POST":
            return JsonResponse({"detail": "Use POST."}, status=405)
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            return JsonResponse({"detail": "Not found."}, status=404)
        now = timezone.now()
        here = OpenEditor.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), object_id=str(obj.pk)
        )
        OpenEditor.objects.filter(last_seen__lt=now - self.EDITING_TIMEOUT).delete()
        if request.POST.get("leave"):
            here.filter(user=request.user).delete()
            return JsonResponse({"others": []})
        here.update_or_create(
            user=request.user,
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=str(obj.pk),
            defaults={"last_seen": now},
        )
        others = sorted(here.exclude(user=request.user).values_list("user__username", flat=True))
        answer = {"others": others, "version": obj.version, "saved_by": None}
        if request.POST.get("version") not in (None, "", str(obj.version)):
            latest = obj.history.order_by("-history_date", "-history_id").first()
            answer["saved_by"] = saved_by(latest)
        return JsonResponse(answer)

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, **{"form": ListRowForm, **kwargs})

    def render_change_form(self, request, context, *args, **kwargs):
        context["max_fields"] = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS  # static/js/form_limit.js
        obj = kwargs.get("obj")
        context["visibility"] = visibility(obj) if obj is not None and obj.pk else None
        return super().render_change_form(request, context, *args, **kwargs)

    # Fields a page sends besides its forms' own: CSRF token, save buttons, spares.
    SPARE_FIELDS = 50

    def get_inline_instances(self, request, obj=None):
        """The inlines that fit in one save: a page whose rows would send more fields
        than DATA_UPLOAD_MAX_NUMBER_FIELDS could never be saved, so the inlines
        that do not fit are left out, last first, and the page links to their own
        lists instead (``request.inlines_elsewhere``)."""
        inlines = super().get_inline_instances(request, obj)
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        if obj is None or obj.pk is None or limit is None:
            return inlines
        room = limit - self.SPARE_FIELDS - len(self.get_form(request, obj).base_fields)
        kept, elsewhere = [], []
        for inline in inlines:
            formset = inline.get_formset(request, obj)
            rows = formset.fk.model._default_manager.filter(**{formset.fk.name: obj}).count()
            # Each row: its fields, plus the key, the parent's key and DELETE;
            # each formset: four management fields.
            fields = (rows + formset.extra) * (len(formset.form.base_fields) + 3) + 4
            if fields <= room:
                kept.append(inline)
                room -= fields
                continue
            opts = inline.model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            elsewhere.append((rows, opts.verbose_name_plural, f"{url}?{formset.fk.name}={obj.pk}"))
        request.inlines_elsewhere = elsewhere
        return kept

    def save_model(self, request, obj, form, change):
        reverting = getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) is not None
        if change and not reverting and not form.has_changed():
            return  # nothing changed: no new version, no history row
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for each in [form, *(f for formset in formsets for f in formset.forms)]:
            if getattr(each, "merge_note", None):
                self.message_user(request, each.merge_note, messages.WARNING)

    def _valid_key_or_404(self, object_id):
        if not is_valid_key(self.model._meta.pk, unquote(object_id)):
            raise Http404(f"No {self.model._meta.verbose_name} with this key.")

    def changeform_view(self, request, *args, **kwargs):
        return self._as_one_write(super().changeform_view, request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._as_one_write(super().changelist_view, request, *args, **kwargs)

    def deletion_refusal(self, obj, opened_version):
        """Why ``obj`` may not be deleted now, or None: it changed since the editor's
        page showed ``opened_version``, or deleting it would break a published report."""
        if str(opened_version) != str(obj.version):
            latest = obj.history.order_by("-history_date", "-history_id").first()
            return (
                f"Not deleted: {saved_by(latest)} changed the {obj._meta.verbose_name} “{obj}” "
                "after you opened the confirmation page. Review the change, then delete it again."
            )
        errors = obj.deletion_errors() if hasattr(obj, "deletion_errors") else []
        if errors:
            return f"Not deleted: “{obj}” is in a published report. {' '.join(errors)}"
        return None

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            action, name, description = actions["delete_selected"]
            actions[name] = (self._guarded(action), name, description)
        return actions

    def _guarded(self, delete_selected):
        """Django's bulk delete, refusing objects changed since its confirmation page."""
        key = f"delete-selected:{self.model._meta.label}"

        def guarded(modeladmin, request, queryset):
            if not request.POST.get("post"):  # showing the confirmation page
                request.session[key] = {str(o.pk): o.version for o in queryset}
                return delete_selected(modeladmin, request, queryset)
            seen = request.session.pop(key, {})
            refusals = [r for o in queryset if (r := self.deletion_refusal(o, seen.get(str(o.pk))))]
            if refusals:
                self.message_user(request, " ".join(refusals), messages.ERROR)
                return None
            return delete_selected(modeladmin, request, queryset)

        return guarded

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "POST" and request.POST.get("post") and obj is not None:
            refusal = self.deletion_refusal(obj, request.POST.get(OPENED))
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        extra = {**(extra_context or {}), "opened_version": obj.version if obj else None}
        return self._as_one_write(super().delete_view, request, object_id, extra)

    def after_write(self, request, judged):
        """Called once a write has been judged and kept, with the roots the publish
        gate judged (as read back): for a subclass to report on them."""

    def _as_one_write(self, view, request, *args, **kwargs):
        """``view`` as one write, judged by the publish gate when it ends
        (gtmp_site/core/gate.py). A save that lands between the form's check and
        ours, or a result the gate refuses, undoes the whole request: the editor is
        told why, and nothing the request said before (such as "changed
        successfully") is shown."""
        try:
            with gate.guard() as judged:
                response = view(request, *args, **kwargs)
            self.after_write(request, judged)
            return response
        except StaleObjectError as exc:
            message = f"Not saved: {exc} Reload and apply your changes again."
        except PublishRefused as exc:
            message = f"Not saved: {' '.join(exc.messages)}"
        request._messages = default_storage(request)  # as MessageMiddleware makes it
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


class DatedEventAdmin(ContentAdmin):
    """Dated events in a list of their own, for a subject with more than its page
    can save at once. A subclass sets ``model``; the list filters by its subject."""

    list_display = ["__str__", "summary", "checked_on"]
    search_fields = ["summary"]

    def __init__(self, model, admin_site):
        self.list_filter = [model.SUBJECT, "kind", "checked_on"]
        self.list_select_related = [model.SUBJECT]
        self.autocomplete_fields = [model.SUBJECT]
        super().__init__(model, admin_site)
