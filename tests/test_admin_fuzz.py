"""Whatever an editor types into the report form, the admin answers with the
form (and its errors) or a redirect, never a server error (a short, bounded
hypothesis run; the API gets the same treatment from schemathesis)."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from market.models import Report
from tests.admin_forms import admin_post_data
from tests.factories import EditorFactory, MarketFigureFactory, SegmentFactory

FIELDS = [
    "title", "slug", "summary", "currency", "unit", "base_year", "forecast_start_year",
    "forecast_end_year", "stated_cagr", "status", "published_at_0", "published_at_1",
    "segments-0-name", "segments-0-slug", "segments-0-position",
    "figures-0-year", "figures-0-value", "figures-0-kind", "figures-0-source_url",
]  # fmt: skip

typed = st.one_of(
    st.text(max_size=40),
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "0", "-1", "1e400", "NaN", "2030", "17.5", "<script>", "\x00"]),
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.dictionaries(st.sampled_from(FIELDS), typed, min_size=1, max_size=4))
def test_no_input_in_the_report_form_causes_a_server_error(client, edits):
    report = Report.objects.first()
    if report is None:
        report = SegmentFactory().report
        MarketFigureFactory(report=report)
        client.force_login(EditorFactory())
    url = reverse("admin:market_report_change", args=[report.pk])
    data = admin_post_data(client.get(url))
    data.update(edits)
    response = client.post(url, data)
    assert response.status_code in (200, 302)
