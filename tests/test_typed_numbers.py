"""No number is typed into the public prose: every year, count, amount and
percentage comes from a placeholder (or a field of its own), so none can
disagree with the data. A property over every prose field of every model, and
the summary of every dated event: none is exempt."""

import pytest
from django.apps import apps

from gtmp_site.core.fields import ProseField
from gtmp_site.core.models import DatedEvent
from market import placeholders
from market.models import Report

pytestmark = pytest.mark.django_db


def prose_fields():
    """Every Markdown field, and the one-line summary of every dated event."""
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.fields:
            if isinstance(field, ProseField) or (
                issubclass(model, DatedEvent) and field.name == "summary"
            ):
                yield model, field


def test_no_number_is_typed_into_public_prose(report):
    checked, typed = 0, []
    for model, field in prose_fields():
        for row in model.objects.all():
            numbers = placeholders.typed_numbers(getattr(row, field.name))
            typed += [f"{model._meta.label}.{field.name} {row}: {n}" for n in numbers]
            checked += 1
    assert checked > 20 and typed == []


@pytest.mark.parametrize(
    "typed",
    ["in 2030", "about 17.36 %", "USD 3 million", "29 approvals", "since 2019"],
)
def test_a_typed_number_put_back_is_caught_and_the_checks_warn(report, typed):
    report.summary += f" The market grows {typed}."
    assert placeholders.typed_numbers(report.summary)
    report.save()
    warnings = [c for c in Report.objects.get(pk=report.pk).checks() if c.code == "typed-number"]
    assert any("Summary" in c.message for c in warnings)


@pytest.mark.parametrize(
    "named", ["COVID-19", "CD19 and BCMA", "HPV types 6 and 11", "a phase 3 trial", "AAV9"]
)
def test_names_spelt_with_a_number_are_not_numbers(named):
    assert placeholders.typed_numbers(f"It concerns {named}.") == []
