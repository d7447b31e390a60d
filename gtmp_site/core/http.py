"""HTTP behaviour every response shares: security headers Django has no setting
for, and the answer when a backing service is down."""

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError

# Errors that mean the database cannot be reached or did not answer in time
# (connect or statement timeout): the request may succeed if retried later.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


class ResourcePolicyMiddleware:
    """Cross-Origin-Resource-Policy on every response (settings.CROSS_ORIGIN_RESOURCE_POLICY):
    other sites cannot embed the site's pages, images or scripts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY)
        return response


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
