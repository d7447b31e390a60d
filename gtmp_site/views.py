"""Site-wide views: the health check."""

from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
