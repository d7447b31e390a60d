"""Site-wide views and view helpers: the health check, page metadata."""

from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.utils.text import Truncator
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gtmp_site.core.prose import plain_text


@never_cache
@require_GET
def healthz(request):
    """Answer 200 {"status": "ok"} when every configured database answers a query.

    Load balancers poll this; a 503 with a JSON reason takes the instance out
    of rotation while its database is unreachable.
    """
    for conn in connections.all():
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return JsonResponse(
                {"status": "error", "reason": f"database '{conn.alias}' is not answering"},
                status=503,
            )
    return JsonResponse({"status": "ok"})


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
    """A one-line plain-text summary of Markdown prose, for meta descriptions."""
    return Truncator(plain_text(markdown_text)).chars(length)


def _api_error(request, status, detail):
    return request.path.startswith("/api/") and JsonResponse({"detail": detail}, status=status)


def bad_request(request, exception):
    return _api_error(request, 400, "Bad request.") or defaults.bad_request(request, exception)


def permission_denied(request, exception):
    return _api_error(request, 403, "Permission denied.") or defaults.permission_denied(
        request, exception
    )


def page_not_found(request, exception):
    return _api_error(request, 404, "Not found.") or defaults.page_not_found(request, exception)


def server_error(request):
    return _api_error(request, 500, "Internal server error.") or defaults.server_error(request)
