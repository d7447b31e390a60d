"""Build the POST an editor's browser would send from a rendered admin form."""

from django.forms import MultiWidget


def _form_fields(form):
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            continue
        if isinstance(field.widget, MultiWidget):  # e.g. the admin's split date and time
            parts = field.widget.decompress(value)
            for index, (widget, part) in enumerate(zip(field.widget.widgets, parts, strict=True)):
                data[f"{key}_{index}"] = widget.format_value(part)  # as the browser shows it
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = "on" if value is True else str(value)
    return data


def admin_post_data(response):
    """The change form's current values, inlines and management forms included."""
    data = _form_fields(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        data.update(_form_fields(formset.management_form))
        for form in formset.forms:
            data.update(_form_fields(form))
    return data
