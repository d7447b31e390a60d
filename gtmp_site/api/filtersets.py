"""The base of every API FilterSet."""

import django_filters
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend


class StrictFilterSet(django_filters.FilterSet):
    """A filter parameter that is present must carry a usable value.

    django-filter quietly ignores ``?status=`` or ``?site_wide=maybe``, which
    returns every row to a client who meant to filter; here both are a 400.
    An empty text filter (``?report=``) still means "any", as the schema allows.
    """

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


class SingleValuedParameters(BaseFilterBackend):
    """Filter backend that refuses a repeated query parameter (``?year=1&year=2``).

    No parameter of this API takes several values, and Django would silently
    use the last one. Listed first in DEFAULT_FILTER_BACKENDS.
    """

    def filter_queryset(self, request, queryset, view):
        repeated = sorted(k for k, v in request.query_params.lists() if len(v) > 1)
        if repeated:
            raise ValidationError({name: ["Give this parameter once."] for name in repeated})
        return queryset
