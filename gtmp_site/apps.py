from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project layer: the content loader, which spans every app, and the
    cross-origin policy of the site's URLs."""

    name = "gtmp_site"
    verbose_name = "GTMP site"

    def ready(self):
        from gtmp_site import cors  # noqa: F401 - connects the cross-origin policy
