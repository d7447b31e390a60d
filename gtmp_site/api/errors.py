"""JSON error answers for everything that goes wrong on an API route."""

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from gtmp_site.core.http import (
    BODY_TOO_LARGE,
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    TOO_MANY_FIELDS,
)
from gtmp_site.core.versioning import StaleObjectError

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    """DRF's handler, plus JSON answers for what it leaves to Django's HTML pages."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, RequestDataTooBig):  # a form body over DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": BODY_TOO_LARGE},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent):
        return Response({"detail": TOO_MANY_FIELDS}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):  # a model rule the serializer did not check
        return Response(get_error_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleObjectError):  # saved by someone else between read and write
        return Response({"detail": str(exc)}, status=status.HTTP_412_PRECONDITION_FAILED)
    if isinstance(exc, IntegrityError):  # e.g. a uniqueness race between two writers
        return Response(
            {"detail": "The change conflicts with data saved meanwhile; read and retry."},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.error("Database unavailable: %s", exc)
        return Response(
            {"detail": "The service is briefly unavailable; please try again shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    logger.exception("Unhandled API error", exc_info=exc)
    return Response(
        {"detail": "Internal server error."}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )
