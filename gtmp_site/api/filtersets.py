"""The base of every API FilterSet."""

import re

import django_filters
from django import forms
from django.db import models
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend


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


class StrictFilterSet(django_filters.FilterSet):
    """A filter parameter that is present must carry a usable value.

    django-filter quietly ignores ``?status=`` or ``?site_wide=maybe``, which
    returns every row to a client who meant to filter; here both are a 400.
    An empty text filter (``?report=``) still means "any", as the schema allows.
    An integer field's filter takes whole numbers only (``WholeNumberFilter``).
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
            if name not in self.data or type(field) is django_filters.CharFilter:
                continue
            if self.form.cleaned_data.get(name) in (None, ""):
                if name not in self.form.errors:
                    self.form.add_error(name, "Give a valid value, or leave the parameter out.")
                valid = False
        return valid


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
