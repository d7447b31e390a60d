from django import forms
from django.db import models


class HttpsURLField(models.URLField):
    """A URL field whose form adds https:// (not http://) to an address typed without one.

    Django 6.0 makes https the default; this opts in now and silences the
    deprecation warning everywhere the field is edited (admin, imports).
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


def normalize_prose(text):
    """``text`` with LF line endings, no trailing spaces on any line, no blank tail.

    Browsers send CRLF from a textarea; without this a save that changed
    nothing would look like a change of every line in the history.
    """
    if not isinstance(text, str):
        return text
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


class ProseFormField(forms.CharField):
    def to_python(self, value):
        return normalize_prose(super().to_python(value))


class ProseField(models.TextField):
    """A Markdown text field whose value is normalised (``normalize_prose``) on
    every path in: forms compare and clean it, and every save stores it so."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ProseFormField, **kwargs})

    def to_python(self, value):
        return normalize_prose(super().to_python(value))

    def pre_save(self, model_instance, add):
        value = normalize_prose(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
