"""What every piece of editable content carries, and the core's own data: who
has which admin page open."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from gtmp_site.core import cache
from gtmp_site.core.versioning import VersionedModel


class ContentModel(VersionedModel):
    """Editable content: a ``version`` that refuses stale saves, the time of the
    last save, and a history of every version.

    The history table is made for each concrete model, in its own app. A model
    whose many-to-many changes belong in its history names them in
    ``_history_m2m_fields`` (django-simple-history reads that attribute).
    """

    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_parents = instance._parent_ids()
        return instance

    def _parent_ids(self):
        return {
            field: getattr(self, field.attname)
            for field in self._meta.concrete_fields
            if field.many_to_one and issubclass(field.related_model, ContentModel)
        }

    def content_keys(self):
        """The cache keys of what shows this row (gtmp_site/core/cache.py): its own,
        its model's lists, and its parents', before and after a change (a figure
        moved to another segment changes both)."""
        keys = {cache.row_key(self), cache.model_key(type(self))}
        loaded = getattr(self, "_loaded_parents", {})
        for field, value in self._parent_ids().items():
            for parent in {value, loaded.get(field)} - {None}:
                keys.add(f"{field.related_model._meta.label_lower}:{parent}")
        return keys


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
