"""Atom feeds of new editions: one per report and one for the whole site."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from market.models import Edition, Report

ITEMS = 50


class EditionsFeed(Feed):
    """New editions of ``slug``'s report, or of every report when there is none."""

    feed_type = Atom1Feed

    def get_object(self, request, slug=None):
        return slug and get_object_or_404(Report.objects.published(), slug=slug)

    def title(self, report):
        return f"{report.title}: new editions" if report else "GTMP Market Insights: new editions"

    def link(self, report):
        return reverse("market:editions", args=[report.slug]) if report else reverse("home")

    def subtitle(self, report):
        return "Each edition is the report as published, kept unchanged at its own address."

    def items(self, report):
        editions = Edition.objects.on_site().select_related("report")
        if report:
            editions = editions.filter(report=report)
        return editions.order_by("-published_at", "-pk")[:ITEMS]

    def item_title(self, edition):
        return f"{edition.report.title}: edition {edition.label}"

    def item_description(self, edition):
        return edition.note

    def item_pubdate(self, edition):
        return edition.published_at

    def item_updateddate(self, edition):
        return edition.published_at
