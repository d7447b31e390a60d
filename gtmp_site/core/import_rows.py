"""Spreadsheet imports that explain themselves and never overwrite a colleague.

Each row is checked column by column before django-import-export touches it:
a bad cell is reported with its file line, its column, the value found and
what is accepted there (for a segment: the report's segment slugs). A row
that would change an existing object must carry the ``version`` column of an
export; if the object changed since, the row is refused, naming who changed it.
"""

from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from import_export import fields, resources, widgets

from gtmp_site.core import gate
from gtmp_site.core.admin_base import saved_by
from gtmp_site.core.cells import read_cell, safe_cell


class ImportRowError(ValueError):
    """A row that cannot be imported; the message is for an editor."""


class ReadableImportResource(resources.ModelResource):
    version = fields.Field(attribute="version", column_name="version", readonly=True)

    def export_field(self, field, instance, **kwargs):
        return safe_cell(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        self.file_line = kwargs.get("row_number", 0) + 1  # the header is line 1
        for column, value in row.items():
            row[column] = read_cell(value)
        problems = [p for field in self.get_import_fields() if (p := self._problem(field, row))]
        if problems:
            message = "; ".join(problems)
            raise ImportRowError(f"{message[0].upper()}{message[1:]}.")
        super().before_import_row(row, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        """The file as a whole passes the publish gate (gtmp_site/core/gate.py), in
        the preview too, before django-import-export rolls the preview back."""
        super().after_import(dataset, result, **kwargs)
        try:
            gate.judge_written()
        except gate.PublishRefused as exc:
            raise ImportRowError(" ".join(exc.messages)) from None

    def _problem(self, field, row):
        if field.column_name not in row:
            return None
        raw = row[field.column_name]
        try:
            value = field.clean(row)
        except Exception:  # any widget failure becomes one readable sentence
            return self._bad(field, raw, row)
        model_field = self._model_field(field)
        if isinstance(value, Decimal) and not value.is_finite():
            return self._bad(field, raw, row)
        choices = model_field.flatchoices if model_field is not None else ()
        if choices and value not in ("", None) and value not in {key for key, _ in choices}:
            return self._bad(field, raw, row)
        return None

    def _model_field(self, field):
        try:
            return self._meta.model._meta.get_field(field.attribute)
        except (FieldDoesNotExist, TypeError):
            return None

    def _bad(self, field, raw, row):
        return f"column “{field.column_name}” has “{raw}”, but {self._accepted(field, row)}"

    def _accepted(self, field, row):
        widget = field.widget
        model_field = self._model_field(field)
        if isinstance(widget, widgets.ForeignKeyWidget):
            keys = list(widget.get_queryset(None, row).values_list(widget.field, flat=True))
            empty = " (or empty)" if model_field is not None and model_field.null else ""
            if not keys:
                return f"there is nothing to choose from here{empty}"
            return f"accepted are: {', '.join(map(str, keys))}{empty}"
        if model_field is not None and model_field.choices:
            return f"accepted are: {', '.join(str(k) for k, _ in model_field.flatchoices)}"
        if isinstance(widget, widgets.DecimalWidget):
            return "a number is needed, such as 14.40"
        if isinstance(widget, widgets.IntegerWidget):
            return "a whole number is needed, such as 2030"
        return "it cannot be read"

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        if not skip and original is not None and original.pk is not None:
            self._refuse_stale(original, row)
        return skip

    def _refuse_stale(self, current, row):
        sent = str(row.get("version") or "").strip()
        if sent == str(current.version):
            return
        name = f"{current._meta.verbose_name} “{current}”"
        if not sent:
            message = (
                f"File line {self.file_line}: this row changes the {name}, but the file has no "
                "“version” column for it. Export first and edit that file, so a colleague's "
                "change made meanwhile is not overwritten."
            )
        else:
            latest = current.history.order_by("-history_date", "-history_id").first()
            message = (
                f"File line {self.file_line}: the {name} was changed by {saved_by(latest)} "
                f"after this file was exported (its version is now {current.version}, the "
                f"file has {sent}). Export again and re-apply your change."
            )
        raise ValidationError({"version": message})
