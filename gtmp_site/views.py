"""Site-wide views and view helpers: the health check, error pages, page metadata."""

import sys

from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gtmp_site.core.http import (
    BODY_TOO_LARGE,
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    TOO_MANY_FIELDS,
)
from gtmp_site.core.prose import plain_text


@never_cache
@require_GET
def healthz(request):
    """Say which backing service answers, for load balancers.

    503 {"status": "error", ...} while a database does not answer: take the
    instance out of rotation. 200 {"status": "degraded", ...} while only the
    cache is down: pages and API still answer, uncached and unthrottled.
    """
    parts = {}
    for conn in connections.all():
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1")
            parts[f"database {conn.alias}"] = "ok"
        except DatabaseError:
            parts[f"database {conn.alias}"] = "not answering"
    # The cache ignores its errors (settings.CACHES), so a value that does not
    # come back is how an outage shows.
    cache.set("healthz", 1, timeout=10)
    parts["cache"] = "ok" if cache.get("healthz") == 1 else "not answering"
    if any(state != "ok" for name, state in parts.items() if name.startswith("database")):
        return JsonResponse({"status": "error", **parts}, status=503)
    status = "ok" if parts["cache"] == "ok" else "degraded"
    return JsonResponse({"status": status, **parts})


class PageMetaMixin:
    """Title and description of a page, for <title>, the meta description and Open Graph."""

    page_title = None
    page_description = None

    def get_page_title(self):
        return self.page_title

    def get_page_description(self):
        return self.page_description

    def get_context_data(self, **kwargs):
        kwargs.setdefault("page_title", self.get_page_title())
        kwargs.setdefault("page_description", self.get_page_description())
        return super().get_context_data(**kwargs)


def plain_summary(markdown_text, length=158):
    """A one-line plain-text summary of Markdown prose, for meta descriptions, in at
    most ``length`` characters: the whole sentences that fit, when they fill at
    least half of it, else whole words and "…". A number or word is never cut."""
    text = " ".join(plain_text(markdown_text).split())
    if len(text) <= length:
        return text
    fits = text[: length + 1]
    sentence = max(fits.rfind(end) for end in (". ", "? ", "! "))
    if sentence >= length // 2:
        return fits[: sentence + 1]
    return fits[: fits.rfind(" ")].rstrip(",;:–") + "…"


def _api_error(request, status, detail):
    return request.path.startswith("/api/") and JsonResponse({"detail": detail}, status=status)


def bad_request(request, exception):
    if isinstance(exception, RequestDataTooBig):
        return refused(request, "too-large")
    if isinstance(exception, TooManyFieldsSent):
        return refused(request, "too-many-fields")
    return _api_error(request, 400, "Bad request.") or defaults.bad_request(request, exception)


# Requests refused for their body: (status, the API's detail, the page's heading and text).
REFUSALS = {
    "too-large": (413, BODY_TOO_LARGE, "Too much sent", "What was sent is larger than this "
                  "site accepts. Nothing was saved; please send less at a time."),
    "bad-length": (400, "The Content-Length header is not a number.", "Malformed request",
                   "The request's stated length is not a number. Nothing was saved."),
    "too-many-fields": (400, TOO_MANY_FIELDS, "Too many fields", "The page sent more fields "
                        "than one save takes, so nothing was saved. Go back: the page still "
                        "holds what you typed. Save fewer rows at a time."),
}  # fmt: skip


def refused(request, reason):
    """A request refused for its body (``REFUSALS``): JSON on the API, the site's
    page elsewhere. Rendered without the request, whose body may be unread."""
    status, detail, heading, text = REFUSALS[reason]
    return _api_error(request, status, detail) or HttpResponse(
        loader.render_to_string("refused.html", {"heading": heading, "text": text}),
        status=status,
    )


def permission_denied(request, exception):
    return _api_error(request, 403, "Permission denied.") or defaults.permission_denied(
        request, exception
    )


def page_not_found(request, exception):
    return _api_error(request, 404, "Not found.") or defaults.page_not_found(request, exception)


def server_error(request):
    # Django calls this while handling the exception, so it is in sys.exc_info().
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    return _api_error(request, 500, "Internal server error.") or defaults.server_error(request)


def service_unavailable(request):
    """503 with Retry-After while the database is unreachable or too slow: the
    site's page, or JSON on the API. Rendered without the request, which would
    reach for the database again."""
    detail = "The service is briefly unavailable; please try again shortly."
    response = _api_error(request, 503, detail) or HttpResponse(
        loader.render_to_string("503.html"), status=503
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
