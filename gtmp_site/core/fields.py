from django import forms
from django.core.exceptions import ValidationError
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
    every path in: forms compare and clean it, and every save stores it so.
    Apps add validators every prose field applies to ``app_validators`` (market adds
    its placeholder check), so the core needs to know none of them."""

    app_validators = []

    @property
    def default_validators(self):
        return list(self.app_validators)

    # Apps add functions giving a sentence an editor should read under a prose
    # field (or None where it does not apply); each is called with the model field.
    app_help = []

    def formfield(self, **kwargs):
        field = super().formfield(**{"form_class": ProseFormField, **kwargs})
        extra = [text for helper in self.app_help if (text := helper(self))]
        field.help_text = " ".join([field.help_text, *extra]).strip()
        field.widget.attrs["data-prose"] = ""  # the checks panel's hook (prose_tools.js)
        return field

    def to_python(self, value):
        return normalize_prose(super().to_python(value))

    def pre_save(self, model_instance, add):
        value = normalize_prose(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class FiniteDecimalField(forms.DecimalField):
    """Refuses NaN, sNaN and infinities while reading the input, not only when
    validating: Django compares the raw Decimal to spot a change, and
    comparing a signalling NaN raises instead of answering."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not value.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


# The largest key a database integer column holds; a bigger one makes SQLite raise.
MAX_DB_INTEGER = 2**63 - 1


def _out_of_range(value):
    text = str(value).strip()
    return text.lstrip("-").isdigit() and abs(int(text)) > MAX_DB_INTEGER


def _refuse_out_of_range_keys(field, values, code, param):
    for value in values:
        if _out_of_range(value):
            raise ValidationError(field.error_messages[code], code=code, params={param: value})


def is_valid_key(field, value):
    """Whether ``value`` can be looked up in the key column ``field`` without an error."""
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return not _out_of_range(value)


class SafeModelChoiceField(forms.ModelChoiceField):
    """A related-object choice that answers a huge number with "not one of the choices"."""

    def to_python(self, value):
        if value not in self.empty_values:
            _refuse_out_of_range_keys(self, [value], "invalid_choice", "value")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        _refuse_out_of_range_keys(self, value, "invalid_pk_value", "pk")
        return super()._check_values(value)
