"""Where a row of a report shows, for the editor about to change or delete it: the
placeholders of the report's prose that read it, the public pages, the API
resources and the downloads. Like Wagtail's reference index, but computed when
asked: a report's prose is a few dozen texts."""

from django.urls import reverse

from market import placeholders


def report_places(report):
    """The report's page, its data downloads and its API resources: every row shows there."""
    return [
        ("Page", report.get_absolute_url()),
        ("Download", reverse("market:data", args=[report.slug, "csv"])),
        ("Download", reverse("market:data", args=[report.slug, "json"])),
        ("API", f"/api/v1/reports/{report.slug}/"),
        ("API", f"/api/v1/reports/{report.slug}/forecast/"),
    ]


def placeholder_uses(report, reads):
    """[(where, placeholder)] of the report's prose whose placeholders ``reads``
    (name, arguments) says read the row."""
    return [
        (where, match.group(0))
        for where, text in report.prose()
        for match in placeholders.PLACEHOLDER.finditer(text or "")
        if reads(*match.group(1).split()[:1], match.group(1).split()[1:])
    ]


def of_figure(figure):
    segment = figure.segment.slug if figure.segment_id else None

    def reads(name, args):
        if name in ("size", "value") and args:
            return args[0] == str(figure.year) and (args[1:] or [None])[0] == segment
        if name == "cagr" and segment is None:
            return str(figure.year) in args
        # Rates and periods follow the whole market's figures.
        return segment is None and name in ("implied_cagr", "implied_period")

    places = report_places(figure.report)
    if segment:
        places.append(("Page", figure.segment.get_absolute_url()))
    places.append(("API", f"/api/v1/figures/{figure.pk}/"))
    return placeholder_uses(figure.report, reads), places


def of_segment(segment):
    def reads(name, args):
        return segment.slug in args

    places = [*report_places(segment.report), ("Page", segment.get_absolute_url()),
              ("API", f"/api/v1/segments/{segment.pk}/")]  # fmt: skip
    return placeholder_uses(segment.report, reads), places
