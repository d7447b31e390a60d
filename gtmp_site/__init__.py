def setup_or_exit():
    """Load Django settings, turning a configuration error into one clear line.

    Used by manage.py and wsgi.py so that a missing secret key stops the
    process with a message instead of a traceback.
    """
    import sys

    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - touching a setting loads the module
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")
