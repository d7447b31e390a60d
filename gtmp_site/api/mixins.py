"""What every resource shares: model rules on writes, ETags and If-Match, visibility."""

import hashlib

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.http import parse_etags
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.fields import get_error_detail
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from gtmp_site.core.cache import cached_by_content


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send the ETag you last read in an If-Match header, so a colleague's change is "
        "not overwritten."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The object changed since you read it (If-Match does not match its ETag). "
        "Read it again and re-apply your change."
    )
    default_code = "precondition_failed"


def etag_for(data):
    """Strong ETag of a representation: the hash of its compact JSON."""
    return f'"{hashlib.sha256(JSONRenderer().render(data)).hexdigest()[:32]}"'


class CachedReadMixin:
    """Anonymous reads served from the cache until the content they show changes
    (gtmp_site/core/cache.py). A hit is served by the cache middleware
    before DRF runs, and still counts against the client's budget for this
    endpoint (``response.budget``, see throttling.allow_cached_read). Editors,
    with a token or a session, are always answered fresh."""

    def list(self, request, *args, **kwargs):
        return self.cached(super().list, request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self.cached(super().retrieve, request, *args, **kwargs)

    def cached(self, handler, request, *args, **kwargs):
        """``handler``'s response, from the cache when the content is unchanged."""

        if request.user.is_authenticated:  # an editor may see drafts: never shared
            return handler(request, *args, **kwargs)

        def render(request, *args, **kwargs):
            response = self.finalize_response(request, handler(request, *args, **kwargs))
            response.budget = self.basename
            return response

        return cached_by_content(render)(request, *args, **kwargs)


class TaggedReadMixin:
    """An ETag on every detail read, the hash of what it answers."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_serializer(instance).data
        return Response(data, headers={"ETag": etag_for(data), **self.detail_headers(instance)})

    def detail_headers(self, instance):
        """Extra headers of a detail read (e.g. Last-Modified)."""
        return {}


class ConditionalWriteMixin(TaggedReadMixin):
    """ETag on every detail read; If-Match required on every update and delete.

    A write without If-Match gets 428; one whose ETag is stale gets 412, so an
    API client can never silently overwrite a change it has not seen.
    """

    def check_if_match(self, instance):
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        tags = parse_etags(header)
        if "*" not in tags and etag_for(self.get_serializer(instance).data) not in tags:
            raise PreconditionFailed()

    def update(self, request, *args, **kwargs):
        self.check_if_match(self.get_object())
        return super().update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        self.check_if_match(self.get_object())
        return super().destroy(request, *args, **kwargs)


JSON_TYPE_NAMES = {str: "string", int: "integer", bool: "boolean"}


def strict(field_class, *json_types):
    """``field_class`` that refuses JSON values of other types instead of coercing them.

    DRF turns 5 into "5" for a text field and "2022" into 2022 for a number;
    the schema promises one type, so another one is a 400. Text longer than
    the schema's maxLength is a 400 too, surrounding spaces included.
    """

    class Strict(field_class):
        def to_internal_value(self, data):
            if not isinstance(data, json_types) or isinstance(data, bool) is not (
                bool in json_types
            ):
                self.fail("invalid")
            # The schema's maxLength counts what is sent; DRF would count it only
            # after trimming surrounding spaces, and accept 201 characters as 200.
            max_length = getattr(self, "max_length", None)
            if isinstance(data, str) and max_length is not None and len(data) > max_length:
                self.fail("max_length", max_length=max_length)
            return super().to_internal_value(data)

    Strict.__name__ = Strict.__qualname__ = f"Strict{field_class.__name__}"
    Strict.default_error_messages = {
        **field_class.default_error_messages,
        "invalid": f"Expected a JSON {JSON_TYPE_NAMES[json_types[0]]}.",
    }
    return Strict


STRICT_FIELDS = {
    serializers.CharField: strict(serializers.CharField, str),
    serializers.SlugField: strict(serializers.SlugField, str),
    serializers.URLField: strict(serializers.URLField, str),
    serializers.ChoiceField: strict(serializers.ChoiceField, str),
    serializers.IntegerField: strict(serializers.IntegerField, int),
    serializers.DecimalField: strict(serializers.DecimalField, str),
    serializers.BooleanField: strict(serializers.BooleanField, bool),
    serializers.DateTimeField: strict(serializers.DateTimeField, str),
}


class NullableSlugField(serializers.SlugRelatedField):
    """A slug or null. DRF quietly reads "" as null for a relation; the schema says a
    slug has at least one character, so "" is a 400 here."""

    def run_validation(self, data=serializers.empty):
        if data == "":
            raise serializers.ValidationError("Give a slug, or null.", code="blank")
        return super().run_validation(data)


class DatedEventSerializer(serializers.ModelSerializer):
    """A dated, sourced event of a company or a product (gtmp_site.core.models.DatedEvent)."""

    when = serializers.CharField(
        source="iso",
        read_only=True,
        help_text="The date as precisely as known: 2019, 2019-12 or 2019-12-17.",
    )

    class Meta:
        fields = ["when", "kind", "summary", "source_url", "checked_on"]


class ModelRulesMixin:
    """Runs the model's own ``full_clean()`` on writes, so the API enforces exactly
    the rules (and messages) the admin does: clean(), field validators, constraints.
    Model fields map to strict field types (see ``strict``)."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        return STRICT_FIELDS.get(field_class, field_class), kwargs

    def get_validators(self):
        # DRF's own unique-together validators would make optional fields of a
        # constraint required; full_clean() below checks the constraints instead.
        return []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {field.name for field in model._meta.many_to_many}
        instance = model.objects.get(pk=self.instance.pk) if self.instance else model()
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            detail = get_error_detail(exc)
            if "__all__" in detail:
                detail["non_field_errors"] = detail.pop("__all__")
            raise exceptions.ValidationError(detail) from None
        return attrs


class ContentViewSet(CachedReadMixin, ConditionalWriteMixin, viewsets.ModelViewSet):
    """A content model's endpoint: cached public reads, conditional writes."""
