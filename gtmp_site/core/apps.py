from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class CoreConfig(AppConfig):
    name = "gtmp_site.core"
    label = "core"
    verbose_name = "Editing core"

    def ready(self):
        from gtmp_site.core import checks  # noqa: F401 - registers the system checks
        from gtmp_site.core.editors import ensure_editors_group

        post_migrate.connect(ensure_editors_group, sender=self)
        self.connect_cache_invalidation()
        self.connect_publish_gate()

    def connect_publish_gate(self):
        """Every row saved or deleted, cascades included, is judged by the publish
        gate (gtmp_site/core/gate.py) before its transaction commits."""
        from gtmp_site.core import gate
        from gtmp_site.core.models import ContentModel

        def written(sender, instance, raw=False, **kwargs):
            if not raw:  # loaddata restores a backup row by row: judged as a whole after
                gate.touched(sender, instance.pk, instance.parent_rows())

        for model in apps.get_models():
            if issubclass(model, ContentModel):
                post_save.connect(written, sender=model, weak=False)
                post_delete.connect(written, sender=model, weak=False)

    def connect_cache_invalidation(self):
        """Every save, delete or many-to-many change of content makes the cached
        responses that show it stale (gtmp_site/core/cache.py)."""
        from gtmp_site.core.cache import content_changed
        from gtmp_site.core.models import ContentModel
        from gtmp_site.core.shown import key

        def saved_or_deleted(sender, instance, **kwargs):
            content_changed(instance.changed_keys())

        def linked_pks(through, instance, model):
            """The rows of ``model`` linked to ``instance`` in the ``through`` table."""
            columns = {f.related_model: f.attname for f in through._meta.concrete_fields
                       if f.many_to_one}  # fmt: skip
            rows = through.objects.filter(**{columns[type(instance)]: instance.pk})
            return set(rows.values_list(columns[model], flat=True))

        def related_changed(sender, instance, action, model, pk_set, **kwargs):
            if action == "pre_clear":  # afterwards nothing says which rows were linked
                instance._unlinked_pks = linked_pks(sender, instance, model)
            if action.startswith("post_"):
                pks = pk_set if pk_set is not None else instance.__dict__.pop("_unlinked_pks", ())
                related = {key(model, pk) for pk in pks}
                content_changed({*instance.changed_keys(), *related, key(model)})

        for model in apps.get_models():
            if issubclass(model, ContentModel):
                post_save.connect(saved_or_deleted, sender=model, weak=False)
                post_delete.connect(saved_or_deleted, sender=model, weak=False)
                for field in model._meta.many_to_many:
                    m2m_changed.connect(related_changed, sender=field.remote_field.through,
                                        weak=False)  # fmt: skip
