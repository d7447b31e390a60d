from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from companies.models import Company
from market.models import Report, Segment


class ReportSitemap(Sitemap):
    changefreq = "monthly"
    priority = 1.0

    def items(self):
        return Report.objects.with_edition().order_by("pk")

    def lastmod(self, report):
        return report.updated_at


class SegmentSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        segments = Segment.objects.filter(report__in=Report.objects.with_edition())
        return segments.select_related("report").order_by("report", "position")

    def lastmod(self, segment):
        return segment.updated_at


class CompanySitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Company.objects.published().order_by("slug")

    def lastmod(self, company):
        return company.updated_at


class PageSitemap(Sitemap):
    def items(self):
        return ["home", "therapies:list", "companies:list", "faq:index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "reports": ReportSitemap,
    "segments": SegmentSitemap,
    "companies": CompanySitemap,
}
