"""What every piece of editable content carries, and the core's own data: who
has which admin page open."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

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
