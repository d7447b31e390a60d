"""Cross-origin reads (django-cors-headers): a page or notebook on another site
may read the API and the downloads, never write, log in or open the admin.

CORS_URLS_REGEX enables nothing by itself (settings.py); this handler of the
library's ``check_request_enabled`` signal enables CORS for safe requests to the
read paths only. Every response of those paths then says ``Vary: Origin``, with
or without an Origin, so a cache in front (Varnish) never serves a copy made for
a request without one to a page on another site."""

import re

from corsheaders.signals import check_request_enabled
from django.conf import settings
from django.dispatch import receiver

READ_PATHS = re.compile(settings.CORS_READ_PATHS)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@receiver(check_request_enabled)
def reads_only(sender, request, **kwargs):
    return request.method in SAFE_METHODS and bool(READ_PATHS.match(request.path_info))
