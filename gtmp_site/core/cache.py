"""Responses served from the cache until the content they show changes.

Each cacheable response names the content it shows as keys: a row
(``market.report:1``) or all rows of a model (``market.report``), found from
the queries that made it (gtmp_site/core/shown.py). Every save or delete of a
content row, by any path (admin, API, import, revert, recover, shell), gives
each of its keys a new version (a random token) in the shared cache: the
row's own keys, its model's, and its parents' (a figure's report), so every
response that shows it is stale from that moment, in every process. The
overall version changes with every change.

A stored entry holds the response as plain values, the versions of its keys
when it was rendered and the overall version it is known valid at. Each
process also keeps the entries it served lately in memory (``recent``): a hit
reads only the overall version from the shared cache while it is unchanged;
after any change, the entry and its keys' versions. No database query, no
rendering. An entry also expires by itself at the next moment content changes
without a save (a scheduled publication), which the apps announce with
``register_expiry``.
"""

import hashlib
import logging
import secrets
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import parse_http_date_safe
from django.utils.module_loading import import_string

from gtmp_site.core import shown

VERSION = "content-version:"
ENTRY = "content-response:"
# Bumped by every change: a render that ran while content changed is not stored.
EVERYTHING = "*"

_expiry_hooks = []
logger = logging.getLogger(__name__)


def register_expiry(hook):
    """``hook()`` gives the next moment (a datetime, or None) at which content
    changes by itself, such as a report's scheduled publication."""
    _expiry_hooks.append(hook)


def content_changed(keys):
    """Make every cached response that shows one of ``keys`` stale, in every
    process's cache and in the HTTP cache tier, once the change commits.

    The changes of one transaction, or of one request or bulk load
    (``changes_batched``), are made together: one new version per key, one PURGE.
    A request that read the old rows before the commit does not leave its render
    cached: it sees the overall version move (``cached_by_content``)."""
    keys = set(keys)
    batch = getattr(_batching, "keys", None)
    if batch is not None:
        batch |= keys
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _apply(keys)
        return
    # In this process's view at once as well (the editor's next read in the same
    # transaction); again after the commit, as a render of the old rows may have
    # been stored in between.
    _bump(keys)
    savepoints = set(connection.savepoint_ids)
    for sids, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _Pending) and sids <= savepoints:
            callback |= keys
            return
    transaction.on_commit(_Pending(keys))


class _Pending(set):
    """The keys a transaction changed so far, applied once it commits."""

    def __call__(self):
        _apply(self)


def _apply(keys):
    _bump(keys)
    purge_http_caches(keys)


_batching = threading.local()


@contextmanager
def changes_batched():
    """Gather the content changes made inside into one, made on leaving: a bulk
    load of hundreds of rows, or a request that saves several times, changes each
    key once, with one PURGE."""
    outer = getattr(_batching, "keys", None)
    _batching.keys = keys = set() if outer is None else outer
    try:
        yield
    finally:
        if outer is None:
            _batching.keys = None
            if keys:
                content_changed(keys)


class ChangesBatchedMiddleware:
    """A request that may write (POST, PUT, PATCH, DELETE) changes what it changed
    once, after its transactions commit: one purge per save, import or revert,
    however many rows it touched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        with changes_batched():
            return self.get_response(request)


def _new_version():
    # A fresh random token rather than a counter: a version lost to eviction or a
    # cache flush and written again can never repeat one an entry was stored with.
    return secrets.token_hex(8)


def _bump(keys):
    # EVERYTHING last: a reader that sees it unchanged saw none of these bumps.
    cache.set_many({VERSION + key: _new_version() for key in keys - {EVERYTHING}}, timeout=None)
    cache.set(VERSION + EVERYTHING, _new_version(), timeout=None)


# Varnish refuses a response header longer than its http_resp_hdr_len (8 KB by
# default): a response that shows more rows names some by their model instead.
XKEY_HEADER_BYTES = 6000
# Varnish refuses a request header longer than its http_req_hdr_len (8 KB by
# default): a larger set of keys goes in several PURGEs.
PURGE_HEADER_BYTES = 6000


class Purger:
    """Sends PURGEs to each Varnish in settings.VARNISH_URLS from a thread of its
    own, so an editor's request never waits for one. Keys waiting for the same
    Varnish go in one request. A Varnish that does not answer within
    VARNISH_PURGE_TIMEOUT is logged and tried again, after 1, 2, 4 … seconds, for
    VARNISH_PURGE_RETRY_SECONDS; past that its objects still expire by their
    s-maxage, which HTTP_CACHE_SECONDS bounds."""

    def __init__(self):
        self.waiting = {}  # url -> _Waiting
        self.condition = threading.Condition()
        self.thread = None
        self.busy = False

    def send(self, keys):
        with self.condition:
            for url in settings.VARNISH_URLS:
                self._wait_for(url, keys, time.monotonic())
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="purger", daemon=True)
                self.thread.start()
            self.condition.notify()

    def _wait_for(self, url, keys, due, since=None, attempts=0):
        """Add ``keys`` to what waits for ``url``, due at ``due`` at the latest."""
        waiting = self.waiting.setdefault(url, _Waiting(since or due, due))
        waiting.keys |= keys
        waiting.since = min(waiting.since, since or due)
        waiting.due = min(waiting.due, due)
        waiting.attempts = max(waiting.attempts, attempts)

    def _run(self):
        while True:
            with self.condition:
                url, waiting = self._next_due()
                self.busy = True
            try:
                sent = _purge(url, waiting.keys)
            finally:
                with self.condition:
                    self.busy = False
                    if not sent:
                        self._retry(url, waiting)
                    self.condition.notify_all()

    def _next_due(self):
        while True:
            now = time.monotonic()
            due = min(self.waiting, key=lambda url: self.waiting[url].due, default=None)
            if due is not None and self.waiting[due].due <= now:
                return due, self.waiting.pop(due)
            self.condition.wait(self.waiting[due].due - now if due is not None else None)

    def _retry(self, url, failed):
        now = time.monotonic()
        if now - failed.since > settings.VARNISH_PURGE_RETRY_SECONDS:
            logger.error("Gave up purging %d keys from %s; they expire by s-maxage.",
                         len(failed.keys), url)  # fmt: skip
            return
        backoff = min(2**failed.attempts, 30)
        self._wait_for(url, failed.keys, now + backoff, failed.since, failed.attempts + 1)

    def wait(self, timeout=10):
        """Wait until nothing is due (tests, and the benchmark's editor)."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while self.busy or any(w.due <= time.monotonic() for w in self.waiting.values()):
                if not self.condition.wait(deadline - time.monotonic()):
                    break


@dataclass
class _Waiting:
    """Keys waiting to be purged from one Varnish: since when, when next, how often
    tried so far."""

    since: float
    due: float
    attempts: int = 0
    keys: set = field(default_factory=set)


purger = Purger()


def purge_http_caches(keys):
    """Ask each Varnish to drop every object tagged with one of ``keys`` (vmod
    xkey, see gtmp_site/varnish.vcl), off the request path (``Purger``)."""
    if settings.VARNISH_URLS and keys:
        purger.send(set(keys))


def _purge(url, keys):
    """Send the PURGEs for ``keys`` to one Varnish; True once it took them all."""
    chunks, chunk, length = [], [], 0
    for key in sorted(keys):
        if chunk and length + len(key) > PURGE_HEADER_BYTES:
            chunks.append(chunk)
            chunk, length = [], 0
        chunk.append(key)
        length += len(key) + 1
    chunks.append(chunk)
    for chunk in chunks:
        request = urllib.request.Request(
            url, method="PURGE", headers={"xkey-purge": " ".join(chunk)}
        )
        try:
            urllib.request.urlopen(request, timeout=settings.VARNISH_PURGE_TIMEOUT).close()
        except OSError as error:
            logger.warning(
                "Could not purge %d keys from %s (will retry): %s", len(keys), url, error
            )
            return False
    return True


def _versions(keys):
    return cache.get_many([VERSION + key for key in keys])


def _seconds_to_keep():
    keep = settings.CONTENT_CACHE_SECONDS
    now = time.time()
    for hook in _expiry_hooks:
        moment = hook()
        if moment is not None:
            keep = min(keep, max(0, moment.timestamp() - now))
    return int(keep)


def _private(request):
    """A request that may see more than the public: an editor's session or token."""
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


def _cacheable(request):
    return request.method in ("GET", "HEAD") and not _private(request)


def _entry_name(request):
    url = f"{request.get_host()}{request.get_full_path()}"
    return ENTRY + hashlib.sha256(url.encode()).hexdigest()


class Entry(NamedTuple):
    """A stored response, as plain values (cheap to unpickle, and a fresh response
    object for every hit), with what it was rendered from."""

    keys: frozenset
    versions: dict
    everything: str  # the overall version it was last known valid at
    until: float  # when it expires by itself (a scheduled publication)
    status: int
    headers: list
    content: bytes
    budget: str | None  # the API budget a hit counts against (throttling)

    def response(self):
        response = HttpResponse(self.content, status=self.status, headers=self.headers)
        response.budget = self.budget
        return response


class _Recent:
    """Entries this process served lately, up to CONTENT_CACHE_LOCAL_BYTES of
    content, the oldest dropped first. One is used only while the overall
    version is the one it was known valid at: any change anywhere sends the next
    hit back to the shared cache, which checks the entry's own keys."""

    def __init__(self):
        self.entries = {}
        self.size = 0
        self.lock = threading.Lock()

    def get(self, name, everything):
        entry = self.entries.get(name)
        return entry if entry is not None and entry.everything == everything else None

    def keep(self, name, entry):
        limit = settings.CONTENT_CACHE_LOCAL_BYTES
        with self.lock:
            old = self.entries.pop(name, None)
            self.size -= len(old.content) if old else 0
            while self.entries and self.size + len(entry.content) > limit:
                self.size -= len(self.entries.pop(next(iter(self.entries))).content)
            if len(entry.content) <= limit:
                self.entries[name] = entry
                self.size += len(entry.content)


recent = _Recent()


def cached_entry(request):
    """The stored entry for this request's URL if what it shows is unchanged, else
    None. No query: one read of the overall version while nothing has changed
    since this process last served it, otherwise a read of the entry and, when
    other content changed since it was stored, of its keys' versions."""
    name = _entry_name(request)
    everything = cache.get(VERSION + EVERYTHING)
    if everything is None:  # nothing changed yet, or the cache is down: nothing is known
        return None
    entry = recent.get(name, everything)
    if entry is None:
        entry = cache.get(name)
        if entry is None:
            return None
        entry = Entry(*entry)
        if entry.everything != everything:
            if _versions(entry.keys) != entry.versions:
                return None
            # Other content changed, not this: note the new overall version, so the
            # next hit takes the short way again.
            entry = entry._replace(everything=everything)
            cache.set(name, tuple(entry), max(1, int(entry.until - time.time())))
        recent.keep(name, entry)
    return entry if entry.until > time.time() else None


class ContentCacheMiddleware:
    """Serve cached responses before the rest of the stack (sessions, users, CSRF,
    messages, DRF) runs: a hit, or a 304 for it, costs a few cache reads. An API
    response names the budget it counts against (``response.budget``), and
    settings.CONTENT_CACHE_BUDGET counts it first; over budget, the request goes
    on to DRF, which answers 429."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.allow = import_string(settings.CONTENT_CACHE_BUDGET)

    def __call__(self, request):
        if _cacheable(request) and not request.path.startswith("/admin/"):
            entry = cached_entry(request)
            if entry is not None and entry.budget is not None:
                entry = entry if self.allow(request, entry.budget) else None
            if entry is not None:
                response = entry.response()
                modified = response.get("Last-Modified")
                return get_conditional_response(
                    request,
                    etag=response.get("ETag"),
                    last_modified=modified and parse_http_date_safe(modified),
                    response=response,
                )
            request.content_cache_checked = True
        return self.get_response(request)


def cached_by_content(view):
    """Serve ``view``'s public GET responses from the cache until the content they
    show changes. What a response shows is what its queries read, found while it
    is made and rendered (gtmp_site/core/shown.py): its keys, and its ``xkey``
    header for Varnish. Only a 200 without cookies is stored."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        if not getattr(request, "content_cache_checked", False):
            entry = cached_entry(request)
            if entry is not None:
                return entry.response()

        before = cache.get(VERSION + EVERYTHING)
        if before is None:  # the first request ever, or after a flush: start the count
            cache.add(VERSION + EVERYTHING, _new_version(), timeout=None)
            before = cache.get(VERSION + EVERYTHING)
        with shown.recording() as keys:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response = response.render()
        if response.status_code != 200 or response.cookies:
            return response
        keep = _seconds_to_keep()
        # Shared caches (Varnish) keep it as long as this cache would, and purge it
        # by these keys; browsers revalidate with the ETag.
        patch_cache_control(
            response, public=True, max_age=0, s_maxage=min(keep, settings.HTTP_CACHE_SECONDS)
        )
        keys = shown.within(keys, XKEY_HEADER_BYTES)
        response["xkey"] = " ".join(sorted(keys))
        if not response.has_header("ETag"):
            set_response_etag(response)
        if keep and before is not None and cache.get(VERSION + EVERYTHING) == before:
            for key in keys:  # a key never changed yet has no version: give it one
                cache.add(VERSION + key, _new_version(), timeout=None)
            entry = Entry(
                frozenset(keys), _versions(keys), before, time.time() + keep,
                response.status_code, list(response.items()), response.content,
                getattr(response, "budget", None),
            )  # fmt: skip
            name = _entry_name(request)
            cache.set(name, tuple(entry), keep)
            recent.keep(name, entry)
        return response

    return wrapper
