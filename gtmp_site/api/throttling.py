"""API request budgets, counted in the shared cache so every worker and server
counts together.

The client's address is REMOTE_ADDR, or with settings.TRUSTED_PROXIES set, the
address that many hops from the right of X-Forwarded-For (DRF's NUM_PROXIES):
never a value the client chooses.
"""

from rest_framework.throttling import SimpleRateThrottle


class SharedCacheThrottle(SimpleRateThrottle):
    """A budget that lets requests through when the cache is down.

    The cache ignores its errors and answers None (settings.CACHES); counting
    then starts from nothing rather than failing the request.
    """

    @property
    def history(self):
        return self._history

    @history.setter
    def history(self, value):
        self._history = value or []


class EndpointThrottle(SharedCacheThrottle):
    """Each client has a budget per endpoint (reports, figures, ...), so heavy use
    of one does not lock the client out of the others: editors per account at
    the "user" rate, everyone else per address at the "anon" rate."""

    scope = "anon"

    def allow_request(self, request, view):
        self.scope = "user" if request.user.is_authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        client = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        endpoint = getattr(view, "basename", None) or type(view).__name__
        return self.cache_format % {"scope": f"{self.scope}:{endpoint}", "ident": client}


class LoginThrottle(SharedCacheThrottle):
    """Token logins per address, at the "login" rate: a budget of its own."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
