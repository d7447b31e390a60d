"""Token login for scripts: an editor exchanges username and password for a token."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from gtmp_site.api.parsers import LimitedJSONParser
from gtmp_site.api.throttling import LoginThrottle


class TokenView(ObtainAuthToken):
    """Returns the API token of the account; wrong credentials get 401, not 400.

    Throttled per address, and django-axes locks an account out from an
    address after repeated failures (settings.AXES_*), like the admin login.
    """

    throttle_classes = [LoginThrottle]
    # DRF's view names its own parsers; JSON goes through the site's (size and
    # nesting limits), forms as DRF allows.
    parser_classes = [LimitedJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Get an API token",
        auth=[],  # the login itself needs no credentials
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes flags the request it was given, which here is DRF's.
            if getattr(request, "axes_locked_out", False):
                raise exceptions.Throttled(
                    wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                    detail="Too many failed logins: this account is locked from your address "
                    "for a while.",
                )
            if "non_field_errors" in serializer.errors:
                raise exceptions.AuthenticationFailed("Unable to log in with these credentials.")
            raise exceptions.ValidationError(serializer.errors)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
