"""Responses served from the cache until the content they show changes.

Each cacheable response names the content it shows as keys: a row
(``market.report:1``) or all rows of a model, for lists (``market.report``).
Every save or delete of a content row, by any path (admin, API, import,
revert, recover, shell), bumps a version number per key in the shared cache:
the row's own keys, its model's, and its parents' (a figure's report), so
every response that shows it is stale from that moment, in every process.

A cached entry holds the response, the versions of its keys when it was
rendered and the overall version (bumped by every change). A hit reads the
entry and the overall version; only when something changed since does it
read its keys' versions too. No database query, no rendering. An entry also
expires by itself at the next moment content changes without a save (a
scheduled publication), which the apps announce with ``register_expiry``.
"""

import hashlib
import logging
import time
import urllib.request
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
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
    _bump(keys)
    transaction.on_commit(lambda: (_bump(keys), purge_http_caches(keys)))


def _bump(keys):
    # EVERYTHING last: a reader that sees it unchanged saw none of these bumps.
    for key in [*sorted(set(keys) - {EVERYTHING}), EVERYTHING]:
        name = VERSION + key
        cache.add(name, 0, timeout=None)
        try:
            cache.incr(name)
        except ValueError:  # evicted in between, or the cache is down
            cache.set(name, 1, timeout=None)


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


def cached_response(request):
    """The stored response for this request's URL if what it shows is unchanged,
    else None. No query: two cache reads while nothing at all has changed since
    it was stored, otherwise one more for the versions of its own keys."""
    name = _entry_name(request)
    entry = cache.get(name)
    if entry is None:
        return None
    keys, versions, everything, until, response = entry
    if until <= time.time():
        return None
    now = cache.get(VERSION + EVERYTHING)
    if now == everything:
        return response
    if _versions(keys) != versions:
        return None
    # Other content changed, not this: note the new overall version, so the
    # next hit takes the short way again.
    cache.set(name, (keys, versions, now, until, response), max(1, int(until - time.time())))
    return response


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
            response = cached_response(request)
            budget = getattr(response, "budget", None)
            if budget is not None and not self.allow(request, budget):
                response = None
            if response is not None:
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
            response = cached_response(request)
            if response is not None:
                return response

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
        if keep and cache.get(VERSION + EVERYTHING) == before:
            for key in keys:  # a key never changed yet has no version: give it one
                cache.add(VERSION + key, 0, timeout=None)
            entry = (keys, _versions(keys), before, time.time() + keep, response)
            cache.set(_entry_name(request), entry, keep)
        return response

    return wrapper
