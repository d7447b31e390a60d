"""Who may see which rows: one name for each rule, used by pages, API, sitemap and downloads."""

from django.db import models


class PublishedQuerySet(models.QuerySet):
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
