"""Page-number pagination with a default and a capped page size."""

from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()  # "?page=last" is not an integer, as the schema says

    def get_page_size(self, request):
        """Like DRF's, but a page_size that is not a positive whole number is a 400,
        not silently replaced by the default; one above the maximum is capped."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and int(raw) > 0):
            raise exceptions.ValidationError(
                {self.page_size_query_param: ["Give a whole number from 1 up."]}
            )
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        # DRF reads "?page=" as page 1; the schema says a page is an integer.
        if request.query_params.get(self.page_query_param) == "":
            raise exceptions.ValidationError({self.page_query_param: ["Give a page number."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page: {self.page_size} by default, at most {self.max_page_size} "
                    "(larger values are capped)."
                )
        return parameters
