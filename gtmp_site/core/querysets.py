"""Who may see which rows: one name for each rule, used by pages, API, sitemap and
downloads; and what a query's result depends on, for the response cache."""

from django.db import models
from django.db.models.query import ModelIterable

from gtmp_site.core import gate, shown


class ContentQuerySet(models.QuerySet):
    """The queryset of every content model: while a cacheable response is made,
    each query says what its result depends on (gtmp_site/core/shown.py); every
    write in bulk passes the publish gate (gtmp_site/core/gate.py), as saves do.
    The system check core.E003 makes sure no content model's manager does without."""

    def update(self, **kwargs):
        with gate.guard():
            fields = self.model.parent_fields()
            parents = [f.related_model for f in fields]
            for pk, *values in self.values_list("pk", *(f.attname for f in fields)):  # as before
                gate.touched(self.model, pk, zip(parents, values, strict=True))
            return super().update(**kwargs)

    def delete(self):
        with gate.guard():  # each row deleted is noted by its post_delete signal
            return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        with gate.guard():
            created = super().bulk_create(objs, *args, **kwargs)
            self._touched(created)
            return created

    def bulk_update(self, objs, *args, **kwargs):
        with gate.guard():
            self._touched(objs)
            return super().bulk_update(objs, *args, **kwargs)

    def _touched(self, objs):
        for obj in objs:
            gate.touched(self.model, obj.pk, obj.parent_rows())

    def _fetch_all(self):
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and shown.is_recording():
            loaded = len(self._result_cache) if self._iterable_class is ModelIterable else None
            shown.note(shown.query_keys(self.query, rows=loaded))

    def _note_unloaded(self):
        if shown.is_recording():
            shown.note(shown.query_keys(self.query))

    def iterator(self, chunk_size=None):
        self._note_unloaded()
        return super().iterator(chunk_size)

    def count(self):
        if self._result_cache is None:
            self._note_unloaded()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._note_unloaded()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._note_unloaded()
        return super().aggregate(*args, **kwargs)


class PublishedQuerySet(ContentQuerySet):
    """A model whose rows are public once published (``published()``, defined by each
    model), and which editors may also see before (``visible_to()``)."""

    def published(self):
        raise NotImplementedError(f"{self.model.__name__} must say what is published.")

    def visible_to(self, user):
        """Every row for a user who may view the model in the admin (so editors preview
        drafts through the API); the published rows for everyone else."""
        opts = self.model._meta
        if user.is_authenticated and user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            return self.all()
        return self.published()
