"""What every piece of editable content carries, and the core's own data: who
has which admin page open."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from gtmp_site.core import gate, shown
from gtmp_site.core.fields import HttpsURLField
from gtmp_site.core.querysets import ContentQuerySet
from gtmp_site.core.versioning import VersionedModel


class ContentModel(VersionedModel):
    """Editable content: a ``version`` that refuses stale saves, the time of the
    last save, and a history of every version.

    Every save and delete passes the publish gate (gtmp_site/core/gate.py).
    The history table is made for each concrete model, in its own app. A model
    whose many-to-many changes belong in its history names them in
    ``_history_m2m_fields`` (django-simple-history reads that attribute).
    """

    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(inherit=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_parents = instance._parent_ids()
        shown.note_row(instance)
        return instance

    def save(self, *args, **kwargs):
        with gate.guard():
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with gate.guard():
            return super().delete(*args, **kwargs)

    @classmethod
    def parent_fields(cls):
        """The foreign keys to other content: the rows this one belongs to."""
        return [
            field
            for field in cls._meta.concrete_fields
            if field.many_to_one and issubclass(field.related_model, ContentModel)
        ]

    def _parent_ids(self):
        return {field: getattr(self, field.attname) for field in self.parent_fields()}

    def parent_rows(self):
        """(model, pk) of this row's content parents, before and after the change
        being made (a figure moved to another segment has two)."""
        loaded = getattr(self, "_loaded_parents", {})
        return {
            (field.related_model, parent)
            for field, value in self._parent_ids().items()
            for parent in {value, loaded.get(field)} - {None}
        }

    def changed_keys(self):
        """The keys a change of this row changes (gtmp_site/core/shown.py): its own,
        its model's, and its parents', before and after the change: every response
        that showed the row, a list it is in, or the children of one of its parents."""
        parents = {shown.key(model, pk) for model, pk in self.parent_rows()}
        return {shown.key(type(self), self.pk), shown.key(type(self)), *parents}


class CheckedFact(models.Model):
    """A fact with a source (a figure, an estimate, an approval, a company's event):
    when an editor last checked it against that source. Unchecked rows and rows
    older than ``settings.FACTS_STALE_AFTER_DAYS`` are listed for editors."""

    checked_on = models.DateField(
        null=True, blank=True, help_text="When an editor last checked it against its source."
    )

    class Meta:
        abstract = True


# The change reason of every history row the content loader writes.
LOADED = "Loaded from the starting content"


class DatedEvent(CheckedFact, ContentModel):
    """A dated step in the history of something (a company, a product), with its
    source. The date is as precise as the source is: a year, a month or a day.
    A subclass adds its ``kind`` (with its own choices) and the foreign key to what
    the event is of, named by ``SUBJECT``."""

    SUBJECT = None

    year = models.PositiveSmallIntegerField(help_text="The year it happened.")
    month = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The month (1-12), when the source gives it."
    )
    day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The day of the month, when the source gives it."
    )
    summary = models.CharField(max_length=300, help_text="What happened, in a sentence.")
    source_url = HttpsURLField(max_length=500, help_text="Where this is recorded.")

    class Meta:
        abstract = True

    def __str__(self):
        return f"{getattr(self, self.SUBJECT)}: {self.get_kind_display()}, {self.when}"

    @staticmethod
    def date_constraints(prefix, first_year, last_year):
        """The year between ``first_year`` and ``last_year``, and a real month."""
        return [
            models.CheckConstraint(
                condition=Q(year__gte=first_year, year__lte=last_year),
                name=f"{prefix}_year_in_range",
                violation_error_message=(
                    f"The year must lie between {first_year} and {last_year}."
                ),
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name=f"{prefix}_month_in_range",
                violation_error_message="The month must lie between 1 and 12.",
            ),
        ]

    ORDERING = ["year", models.F("month").asc(nulls_first=True),
                models.F("day").asc(nulls_first=True), "pk"]  # fmt: skip

    def clean(self):
        if self.day is not None and self.month is None:
            raise ValidationError({"month": "Give the month too, or leave the day empty."})
        if self.day is not None:
            try:
                datetime.date(self.year, self.month, self.day)
            except ValueError:
                raise ValidationError({"day": "No such day in that month."}) from None

    @property
    def when(self):
        """The date as precisely as it is known: '2019', 'Dec 2019' or '17 Dec 2019'."""
        if self.month is None:
            return str(self.year)
        text = datetime.date(self.year, self.month, self.day or 1).strftime("%b %Y")
        return f"{self.day} {text}" if self.day else text

    @property
    def iso(self):
        """For <time datetime>: '2019', '2019-12' or '2019-12-17'."""
        parts = [f"{self.year:04d}"]
        parts += [f"{n:02d}" for n in (self.month, self.day) if n is not None]
        return "-".join(parts)


class OpenEditor(models.Model):
    """An editor who has an object's admin page open, as last reported by the page.

    The change page reports every few seconds (static/js/editing_notice.js), so
    each editor sees who else is editing the same object. Kept in the database,
    not a per-process cache, so every app server sees every editor.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="open_editor_once_per_object"
            )
        ]

    def __str__(self):
        return f"{self.user} on {self.content_type} {self.object_id}"


def latest_change(*roots):
    """The latest ``updated_at`` of ``roots`` and of every content row fetched with
    them (``select_related`` and ``prefetch_related``, at any depth): when what a
    page built from them shows last changed. Reads no query."""
    latest, seen, stack = None, set(), list(roots)
    while stack:
        row = stack.pop()
        if not isinstance(row, ContentModel) or (type(row), row.pk) in seen:
            continue
        seen.add((type(row), row.pk))
        latest = row.updated_at if latest is None else max(latest, row.updated_at)
        stack.extend(row._state.fields_cache.values())
        for related in getattr(row, "_prefetched_objects_cache", {}).values():
            stack.extend(related)
    return latest
