"""The base of every API FilterSet."""

import re

import django_filters
from django import forms
from django.db import models
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter


class WholeNumberField(forms.IntegerField):
    """Digits only: Django's IntegerField also takes "2030.0" (it drops a decimal point
    followed by zeros), which the schema's integer does not allow."""

    def to_python(self, value):
        if value not in self.empty_values and not re.fullmatch(r"\s*[-+]?\d+\s*", str(value)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number, as the schema says of an integer field: django-filter's
    NumberFilter reads decimals, so "3.7e-214" would pass for a year."""

    field_class = WholeNumberField


class SlugFilter(django_filters.CharFilter):
    """The slug of a row of the model ``of`` that the client may see (``visible_to``,
    where the model has it): any other is a 400 naming the slugs there are, the
    same for a draft's slug as for one that does not exist. Empty means "any"."""

    def __init__(self, *args, of, **kwargs):
        self.of = of  # not "model": django-filter sets that to the filterset's
        super().__init__(*args, **kwargs)

    def known(self, request):
        rows = self.of.objects.all()
        if hasattr(rows, "visible_to"):
            rows = rows.visible_to(request.user)
        return sorted(set(rows.values_list("slug", flat=True)))


# At most this many accepted values are named in an error; the rest are counted.
NAMED = 20


def accepted(values):
    """``values`` as an error names them: "a, b, c", or the first NAMED and a count."""
    if not values:
        return "none"
    shown = ", ".join(values[:NAMED])
    return shown if len(values) <= NAMED else f"{shown} and {len(values) - NAMED} more"


class StrictFilterSet(django_filters.FilterSet):
    """A filter parameter that is present must carry a usable value.

    django-filter quietly ignores ``?status=`` or ``?site_wide=maybe``, which
    returns every row to a client who meant to filter; here both are a 400.
    An empty text filter (``?report=``) still means "any", as the schema allows.
    An integer field's filter takes whole numbers only (``WholeNumberFilter``).
    An unknown choice or slug is a 400 naming the accepted ones (``SlugFilter``).
    """

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        **{
            field: {"filter_class": WholeNumberFilter}
            for field in FILTER_FOR_DBFIELD_DEFAULTS
            if issubclass(field, models.IntegerField)
        },
    }

    def is_valid(self):
        valid = super().is_valid()
        for name, field in self.filters.items():
            if name not in self.data:
                continue
            value = self.data[name]
            if isinstance(field, SlugFilter):
                known = field.known(self.request)
                if value and value not in known:
                    self.form.add_error(name, f"Unknown slug {value!r}; known: {accepted(known)}.")
                    valid = False
                continue
            if type(field) is django_filters.CharFilter:
                continue
            choices = getattr(self.form.fields[name], "choices", None)
            if name in self.form.errors and choices:
                values = [str(key) for key, _label in choices if key != ""]
                self.form.errors[name] = self.form.error_class(
                    [f"Unknown value {value!r}; use one of: {accepted(values)}."]
                )
            if self.form.cleaned_data.get(name) in (None, ""):
                if name not in self.form.errors:
                    self.form.add_error(name, "Give a valid value, or leave the parameter out.")
                valid = False
        return valid


class StrictOrdering(OrderingFilter):
    """DRF's ordering, but a field it cannot order by is a 400 naming the ones it
    can (DRF drops it silently, and answers in another order than asked)."""

    def get_ordering(self, request, queryset, view):
        param = request.query_params.get(self.ordering_param)
        if param:
            fields = [term.strip() for term in param.split(",")]
            valid = [
                name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
            ]
            wrong = [f for f in fields if f.lstrip("-") not in valid]
            if wrong:
                raise ValidationError({self.ordering_param: [
                    f"Cannot order by {', '.join(wrong)}; order by {accepted(valid)}, "
                    "each with - for descending, separated by commas."
                ]})  # fmt: skip
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        """The parameter as a comma-separated list of the fields, each with or
        without "-", so the schema names what the endpoint accepts; none where the
        view names no fields (KnownParameters refuses the parameter there)."""
        fields = list(getattr(view, "ordering_fields", None) or ())
        if not fields:
            return []
        values = [*fields, *(f"-{name}" for name in fields)]
        items = {"type": "string", "enum": values}
        return [
            {**parameter, "style": "form", "explode": False,
             "schema": {"type": "array", "items": items}}
            for parameter in super().get_schema_operation_parameters(view)
        ]  # fmt: skip


class KnownParameters(BaseFilterBackend):
    """Filter backend that refuses a query parameter the endpoint does not know
    (``?yaer=2030`` would otherwise return every year) or one given twice
    (``?year=1&year=2``, where Django would silently use the last). Both are
    a 400 naming the parameter. Listed first in DEFAULT_FILTER_BACKENDS.
    """

    ALWAYS = {"page", "page_size", "format"}

    def filter_queryset(self, request, queryset, view):
        known = self.ALWAYS | set((getattr(view, "filterset_class", None) and
                                  view.filterset_class.base_filters) or ())  # fmt: skip
        if getattr(view, "search_fields", None):
            known.add("search")
        if getattr(view, "ordering_fields", None):
            known.add("ordering")
        known |= set(getattr(view, "query_parameters", ()))  # read by the view itself
        errors = {}
        for name, values in request.query_params.lists():
            if name not in known:
                errors[name] = [
                    f"Unknown parameter; this endpoint takes {', '.join(sorted(known))}."
                ]
            elif len(values) > 1:
                errors[name] = ["Give this parameter once."]
        if errors:
            raise ValidationError(errors)
        return queryset
