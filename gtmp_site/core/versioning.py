"""Optimistic locking: a save based on an outdated copy of a row is refused.

Every content model carries a ``version`` number. A save sends
``UPDATE ... SET version = n + 1 WHERE id = ... AND version = n``, where n is
the version the saver read; if another save came first, no row matches and
``StaleObjectError`` is raised instead of silently overwriting it. The admin
(gtmp_site/core/admin_base.py) and the API (gtmp_site/api) turn it into a message.
"""

from django.db import models


class StaleObjectError(Exception):
    """The row changed since this copy of it was read."""

    def __init__(self, instance):
        self.instance = instance
        super().__init__(
            f"{instance._meta.verbose_name} '{instance}' was changed by someone else "
            "after this copy was read."
        )


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by one at every save."
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        adding = self._state.adding
        self._expected_version = None if adding else self.version
        if not adding:
            self.version += 1
        try:
            super().save(*args, **kwargs)
        except StaleObjectError:
            self.version = self._expected_version
            raise
        finally:
            self._expected_version = None

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = getattr(self, "_expected_version", None)
        if expected is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        updated = super()._do_update(
            base_qs.filter(version=expected), using, pk_val, values, update_fields, forced_update
        )
        # No row updated: either someone saved first (refuse), or the row is gone
        # (e.g. a deleted object restored from history), and Django inserts it.
        if not updated and base_qs.filter(pk=pk_val).exists():
            raise StaleObjectError(self)
        return updated
