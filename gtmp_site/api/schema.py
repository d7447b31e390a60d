"""OpenAPI schema generation: documented errors, public reads."""

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import build_array_type, build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import permissions

ERROR_SCHEMA = build_object_type(
    properties={"detail": build_basic_type(OpenApiTypes.STR)},
    description="An error: `detail` says what went wrong; a validation error instead "
    "names each bad field with its messages.",
)
ERROR_SCHEMA["additionalProperties"] = build_array_type(build_basic_type(OpenApiTypes.STR))

ERRORS_BY_METHOD = {
    "GET": {"404": "Not found.", "429": "Too many requests; see Retry-After."},
    "POST": {
        "400": "Invalid data; each bad field is named.",
        "401": "Not authenticated.",
        "403": "No permission to change this resource.",
        "409": "Conflicts with data saved meanwhile; read and retry.",
        "413": "Request body too large.",
        "429": "Too many requests.",
    },
}
ERRORS_BY_METHOD["PUT"] = ERRORS_BY_METHOD["PATCH"] = {
    **ERRORS_BY_METHOD["POST"],
    "404": "Not found.",
    "412": "Changed since read: If-Match does not match the current ETag.",
    "428": "If-Match header missing.",
}
ERRORS_BY_METHOD["DELETE"] = {
    key: value for key, value in ERRORS_BY_METHOD["PUT"].items() if key not in {"400", "409", "413"}
}


# A summary for each standard action of a viewset, from its model's names.
ACTION_SUMMARIES = {
    "list": "List {plural}",
    "retrieve": "Read one {singular}",
    "create": "Add a {singular}",
    "update": "Replace a {singular}",
    "partial_update": "Change some fields of a {singular}",
    "destroy": "Delete a {singular}",
}


class AutoSchema(SpectacularAutoSchema):
    """Documents the error responses and gives every standard operation a summary;
    public reads carry no security requirement."""

    def get_summary(self):
        """The summary ``extend_schema`` gave, or one made from the action and the
        model's names ("List companies", "Read one company")."""
        summary = super().get_summary()
        template = ACTION_SUMMARIES.get(getattr(self.view, "action", None))
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        if summary or template is None or model is None:
            return summary
        return template.format(
            singular=model._meta.verbose_name, plural=model._meta.verbose_name_plural
        )

    def _public_read(self):
        return self.method in permissions.SAFE_METHODS and any(
            isinstance(p, permissions.DjangoModelPermissionsOrAnonReadOnly)
            for p in self.view.get_permissions()
        )

    def get_auth(self):
        """No security requirement on public reads, so the docs show no lock there
        (a logged-in editor's browser still sends its session and sees drafts)."""
        return [] if self._public_read() else super().get_auth()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS_BY_METHOD.get(self.method, {}))
        if self.method == "GET" and not self._public_read():  # an editors-only read
            errors["401"] = "Not authenticated."
        if self.method == "GET" and getattr(self.view, "query_parameters", ()):
            errors["400"] = "Invalid parameter (an edition or a date)."
        if self.method == "GET" and self._is_list_view():
            errors["400"] = "Invalid filter or page parameter."
            errors["404"] = "No such page, or no such edition of the report named."
        for code, description in errors.items():
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                },
            )
        return responses


# Fields every resource shares, described once for the schema.
COMMON_DESCRIPTIONS = {
    "id": "Numeric identifier.",
    "url": "Address of this object in the API.",
    "created_at": "When it was created.",
    "updated_at": "When it was last changed.",
    "count": "Number of results on all pages.",
    "next": "Address of the next page; null on the last.",
    "previous": "Address of the previous page; null on the first.",
    "results": "The results on this page.",
    "username": "Account name.",
    "password": "Account password.",
    "token": "Send as `Authorization: Token <token>`.",
}


# Realistic examples for the docs; without them Swagger UI invents values such as
# an implied CAGR of "-287.35" from the decimal pattern.
EXAMPLES = {
    "value": "14.400",
    "stated_cagr": "17.50",
    "implied_cagr": "17.36",
    "year": 2030,
    "base_year": 2022,
    "forecast_start_year": 2024,
    "forecast_end_year": 2030,
    "founded_year": 2013,
    "status_year": 2019,
    "position": 1,
    "brand_name": "Luxturna",
    "proper_name": "voretigene neparvovec-rzyl",
    "approved_on": "2017-12-19",
    "indication": "Inherited retinal disease caused by mutations in both copies of RPE65",
    "base_value": "9.0000",
    "forecast_year": 2028,
    "forecast_value": "23.9000",
    "cagr": "21.40",
    "cagr_period": "2023–2028",
}


def describe_common_fields(result, generator, request, public):
    """drf-spectacular postprocessing hook: describe shared fields and the ``slug``
    of a detail's address, left undescribed, and give numeric fields a realistic
    example."""
    for operations in result["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "slug" and not parameter.get("description"):
                    parameter["description"] = "Its slug, as in the address of its page."
    for component in result.get("components", {}).get("schemas", {}).values():
        for name, prop in component.get("properties", {}).items():
            if name in COMMON_DESCRIPTIONS and "description" not in prop:
                prop["description"] = COMMON_DESCRIPTIONS[name]
            if name in EXAMPLES and "example" not in prop:
                prop["example"] = EXAMPLES[name]
    return result


class DescribedFilterExtension(DjangoFilterExtension):
    """django-filter's parameters, each described: drf-spectacular leaves a filter
    with a schema of its own (a year) or a number filter without a description; it
    gets the filter's help text, or else its model field's."""

    priority = 1  # before drf-spectacular's own

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        model_field = self._get_model_field(filter_field, model)
        text = filter_field.extra.get("help_text") or getattr(model_field, "help_text", "")
        for parameter in parameters:
            if not parameter.get("description") and text:
                parameter["description"] = str(text)
        return parameters
