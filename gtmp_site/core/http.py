"""HTTP behaviour every response shares: security headers Django has no setting
for, the client's address, and the answer when a backing service is down."""

import ipaddress
import logging
import re
import time
from functools import wraps

from csp.utils import build_policy
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.middleware.gzip import GZipMiddleware

from gtmp_site.core.postgresql.base import bounded_waits

ADMIN_PREFIX = "/admin/"  # where gtmp_site/urls.py mounts the admin

# Errors that mean the database cannot be reached or did not answer in time
# (connect or statement timeout): the request may succeed if retried later.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
BODY_TOO_LARGE = "The request body is larger than this site accepts."
TOO_MANY_FIELDS = "The request sends more fields than this site accepts."


def client_address(request):
    """The address of the client, the one name every rule per client uses (API
    budgets, login lock-out, logs): REMOTE_ADDR; behind settings.TRUSTED_PROXIES
    proxies, each appending its peer to X-Forwarded-For (Varnish, a load
    balancer, a CDN), the entry that many from the right, which the outermost
    proxy wrote. What a client puts in the header itself stands further left and
    is never read. A request that did not pass every proxy (too few entries) or
    an entry that is not an address gives REMOTE_ADDR: never an empty or shared
    value."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXIES
    if not hops:
        return remote
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(chain) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(chain[-hops]))
    except ValueError:
        return remote


class DatabaseWaitMiddleware:
    """Bounds each wait for the database in a request to settings.DB_WAIT_SECONDS
    (gtmp_site/core/postgresql); on SQLite, the busy timeout bounds it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with bounded_waits(settings.DB_WAIT_SECONDS):
            return self.get_response(request)


class BodyLimitMiddleware:
    """413 for a request that says its body is larger than the site accepts,
    before anything reads it: settings.UPLOAD_MAX_BYTES for a file upload
    (multipart), DATA_UPLOAD_MAX_MEMORY_SIZE for any other body. A body sent
    without a length is bounded where it is read (Django's and the API's limits,
    answered 413 by gtmp_site/views.py and gtmp_site/api/errors.py). A length
    that is not a number is a 400. One larger than the body sent needs nothing
    here: the server hands over the shorter body, which its parser refuses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from gtmp_site.views import refused

        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit():
            return refused(request, "bad-length")
        upload = request.content_type == "multipart/form-data"
        limit = settings.UPLOAD_MAX_BYTES if upload else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if int(declared) > limit:
            return refused(request, "too-large")
        return self.get_response(request)


class ResourcePolicyMiddleware:
    """Cross-Origin-Resource-Policy on every response (settings.CROSS_ORIGIN_RESOURCE_POLICY):
    other sites cannot embed the site's pages, images or scripts, but for the
    paths any site may read (settings.CORS_READ_PATHS: the API and downloads)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.shared = re.compile(settings.CORS_READ_PATHS)

    def __call__(self, request):
        response = self.get_response(request)
        shared = self.shared.match(request.path_info)
        policy = "cross-origin" if shared else settings.CROSS_ORIGIN_RESOURCE_POLICY
        response.setdefault("Cross-Origin-Resource-Policy", policy)
        return response


FRAMED_ANYWHERE = "frame-ancestors *"


def frameable_anywhere(view):
    """Lets any site frame ``view``'s responses (an embed, market.views.EmbedView),
    where every other page denies it: its Content-Security-Policy, written here so
    that a cached copy keeps it, says ``frame-ancestors *``; FrameOptionsMiddleware
    then adds no X-Frame-Options, which has no value that means "any site". CORP
    ``cross-origin`` lets a site that isolates itself (COEP) frame it too."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = build_policy(replace={"frame-ancestors": ["*"]})
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response

    return wrapper


class FramedAnywhereMiddleware:
    """Takes X-Frame-Options, which Django's XFrameOptionsMiddleware (below this
    one) adds to every response, off one whose own policy lets any site frame it
    (``frameable_anywhere``), cached copies included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = response.get("Content-Security-Policy", "")
        if FRAMED_ANYWHERE in (part.strip() for part in policy.split(";")):
            del response["X-Frame-Options"]
        return response


class AdminGZipMiddleware(GZipMiddleware):
    """Compresses the admin's pages, which are large and never cached. Public pages
    are left to the caches in front (Varnish compresses what it stores), so their
    bodies and ETags stay the ones the cache tiers key on. Django's CSRF token is
    masked per response, and GZipMiddleware pads its output, against BREACH."""

    def process_response(self, request, response):
        if not request.path.startswith(ADMIN_PREFIX):
            return response
        return super().process_response(request, response)


class OncePerInterval(logging.Filter):
    """Pass one record per logger per ``seconds``: an outage is logged, not every
    request during it."""

    def __init__(self, seconds=60):
        super().__init__()
        self.seconds = seconds
        self.last = {}

    def filter(self, record):
        now = time.monotonic()
        if now - self.last.get(record.name, -self.seconds) < self.seconds:
            return False
        self.last[record.name] = now
        return True
