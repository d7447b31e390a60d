from django.db import models


class HttpsURLField(models.URLField):
    """A URL field whose form adds https:// (not http://) to an address typed without one.

    Django 6.0 makes https the default; this opts in now and silences the
    deprecation warning everywhere the field is edited (admin, imports).
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})
