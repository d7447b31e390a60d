"""Responses served from the cache until the content they show changes.

Each cacheable response names the content it shows as keys: a row
(``market.report:1``) or all rows of a model, for lists (``market.report``).
Every save or delete of a content row, by any path (admin, API, import,
revert, recover, shell), gives each of its keys a new version (a random
token) in the shared cache: the row's own keys, its model's, and its
parents' (a figure's report), so every response that shows it is stale from
that moment, in every process. The overall version changes with every change.

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
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import parse_http_date_safe
from django.utils.module_loading import import_string

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


def row_key(obj):
    return f"{obj._meta.label_lower}:{obj.pk}"


def model_key(model):
    return model._meta.label_lower


def content_changed(keys):
    """Make every cached response that shows one of ``keys`` stale: in this
    cache at once, and again once the transaction commits (a request that read
    the old rows in between must not leave its render cached), and in the HTTP
    cache tier (settings.VARNISH_URLS) after the commit, so Varnish never
    refetches the old content."""
    keys = set(keys)
    batch = getattr(_batching, "keys", None)
    if batch is not None:
        batch |= keys
        return
    _bump(keys)
    transaction.on_commit(lambda: (_bump(keys), purge_http_caches(keys)))


_batching = threading.local()


@contextmanager
def changes_batched():
    """Gather the content changes made inside into one, made on leaving: a bulk
    load of hundreds of rows changes each key once, not once per row."""
    outer = getattr(_batching, "keys", None)
    _batching.keys = keys = set() if outer is None else outer
    try:
        yield
    finally:
        if outer is None:
            _batching.keys = None
            if keys:
                content_changed(keys)


def _new_version():
    # A fresh random token rather than a counter: a version lost to eviction or a
    # cache flush and written again can never repeat one an entry was stored with.
    return secrets.token_hex(8)


def _bump(keys):
    # EVERYTHING last: a reader that sees it unchanged saw none of these bumps.
    cache.set_many({VERSION + key: _new_version() for key in keys - {EVERYTHING}}, timeout=None)
    cache.set(VERSION + EVERYTHING, _new_version(), timeout=None)


def purge_http_caches(keys):
    """Ask each Varnish in settings.VARNISH_URLS to drop every object tagged with
    one of ``keys`` (vmod xkey, see gtmp_site/varnish.vcl). A Varnish that does
    not answer is logged; its objects expire by their s-maxage."""
    for url in settings.VARNISH_URLS:
        request = urllib.request.Request(
            url, method="PURGE", headers={"xkey-purge": " ".join(sorted(keys))}
        )
        try:
            urllib.request.urlopen(request, timeout=settings.VARNISH_PURGE_TIMEOUT).close()
        except OSError as error:
            logger.warning("Could not purge %s from %s: %s", sorted(keys), url, error)


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


class ContentKeysMixin:
    """For a class-based view whose responses ``cached_by_content`` stores: each
    response names the content it shows, as ``get_content_keys(context)`` says."""

    def get_content_keys(self, context):
        raise NotImplementedError(f"{type(self).__name__} must name the content it shows.")

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response.content_keys = self.get_content_keys(context)
        return response


def cached_by_content(view):
    """Serve ``view``'s public GET responses from the cache until the content they
    show changes. The view names that content by setting ``response.content_keys``;
    a response without it, or with another status than 200, is not stored."""

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
        response = view(request, *args, **kwargs)
        keys = getattr(response, "content_keys", None)
        if keys is None or response.status_code != 200 or response.cookies:
            return response
        if hasattr(response, "render"):
            response = response.render()
        keep = _seconds_to_keep()
        # Shared caches (Varnish) keep it as long as this cache would, and purge it
        # by these keys; browsers revalidate with the ETag.
        patch_cache_control(response, public=True, max_age=0, s_maxage=keep)
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
