"""API request budgets, counted in the shared cache so every worker and server
counts together.

The client's address is ``gtmp_site.core.http.client_address``, as for the
login lock-out: never a value the client chooses.
"""

import threading

from rest_framework.throttling import SimpleRateThrottle

from gtmp_site.core.http import client_address


class SharedCacheThrottle(SimpleRateThrottle):
    """A budget of ``num_requests`` per ``duration``, counted in the shared cache.

    A window opens at a client's first request and lasts the rate's duration;
    each request costs one increment, however high the rate (DRF's own throttle
    keeps a timestamp per request, so its cost grows with the rate). While the
    cache is down (it then answers None) requests are let through: counting
    resumes when it is back.
    """

    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        return key is None or self.allow_key(key)

    def allow_key(self, key, requests=1):
        """Count ``requests`` under ``key``; whether they are within the budget."""
        now = self.timer()
        if self.cache.add(f"{key}:start", now, self.duration):
            self.cache.set(f"{key}:count", 0, self.duration)
        try:
            count = self.cache.incr(f"{key}:count", requests)
        except ValueError:  # expired between the two calls: a new window
            self.cache.set(f"{key}:count", count := requests, self.duration)
        start = self.cache.get(f"{key}:start")
        self.wait_seconds = max(0, (start or now) + self.duration - now)
        return count is None or count <= self.num_requests

    def wait(self):
        return self.wait_seconds


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


# A process adds the cached reads of a client to the shared count in batches of
# this share of the budget, so a high budget costs a few shared writes a window.
HITS_BATCH_SHARE = 0.01
# Clients a process keeps pending counts for; beyond, it forgets them all, which
# loses under one batch per client.
CLIENTS_TRACKED = 10_000


class _PendingHits:
    """Cached reads counted in this process, not yet added to the shared count,
    and the verdict of the last addition, per budget key."""

    def __init__(self):
        self.pending = {}
        self.allowed = {}
        self.lock = threading.Lock()

    def count(self, key, batch):
        """How many reads to add to the shared count now (0: not yet)."""
        with self.lock:
            if len(self.pending) > CLIENTS_TRACKED:  # bounded memory: forget, and recount
                self.pending.clear()
                self.allowed.clear()
            pending = self.pending.get(key, 0) + 1
            self.pending[key] = 0 if pending >= batch else pending
            return pending if pending >= batch else 0


_hits = _PendingHits()


def allow_cached_read(request, endpoint):
    """Count an anonymous read of ``endpoint`` answered from the cache before DRF
    runs (gtmp_site/core/cache.py) against the client's budget for it.

    With a budget under 200 a window, every read is counted in the shared
    cache at once, exactly as EndpointThrottle counts it. With a larger one, each
    process adds them in batches of 1 % of the budget and answers by the last
    addition, so a client may overrun by 1 % per process and hits stay as cheap
    as pages."""
    throttle = EndpointThrottle()
    client = throttle.get_ident(request)
    key = throttle.cache_format % {"scope": f"anon:{endpoint}", "ident": client}
    batch = int(throttle.num_requests * HITS_BATCH_SHARE)
    if batch <= 1:
        return throttle.allow_key(key)
    requests = _hits.count(key, batch)
    if requests:
        _hits.allowed[key] = throttle.allow_key(key, requests)
    return _hits.allowed.get(key, True)
