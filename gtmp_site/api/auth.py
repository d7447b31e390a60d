"""Token login for scripts: an editor exchanges username and password for a token."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response


class TokenView(ObtainAuthToken):
    """Returns the API token of the account; wrong credentials get 401, not 400."""

    @extend_schema(
        summary="Get an API token",
        auth=[],  # the login itself needs no credentials
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if "non_field_errors" in serializer.errors:
                raise exceptions.AuthenticationFailed("Unable to log in with these credentials.")
            raise exceptions.ValidationError(serializer.errors)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
