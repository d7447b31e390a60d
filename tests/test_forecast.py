"""The forecast engine: exact values from the seed, properties, and one test per check."""

from decimal import Decimal as D
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from market import forecast as fc
from market.forecast import Figure, ReportFigures, build_forecast, build_series, cagr, grow


def seed_report(**changes):
    data = {
        "base_year": 2022,
        "forecast_start_year": 2024,
        "forecast_end_year": 2030,
        "stated_cagr": D("17.50"),
        "figures": (
            Figure(2022, D("4.00"), "estimate", "Verified Market Reports"),
            Figure(2030, D("14.40"), "forecast", "Verified Market Reports"),
        ),
    }
    return ReportFigures(**{**data, **changes})


def codes(result, level=None):
    return [c.code for c in result.checks if level is None or c.level == level]


# Exact values from the seed ---------------------------------------------------


def test_seed_figures_imply_17_36_percent_a_year():
    assert fc.as_percent(cagr(D("4.00"), D("14.40"), 8)) == D("17.36")


def test_stated_17_50_percent_from_2024_reaches_14_40_in_2030_from_5_47():
    start = grow(D("14.40"), D("0.175"), -6)
    assert start.quantize(D("0.01")) == D("5.47")
    assert grow(start, D("0.175"), 6).quantize(D("0.01")) == D("14.40")


def test_seed_series_runs_2022_to_2030_with_kinds_and_methods():
    result = build_forecast(seed_report())
    points = result.total.points
    assert [p.year for p in points] == list(range(2022, 2031))
    assert (points[0].value, points[0].kind, points[0].method) == (D("4.00"), "estimate", "entered")
    assert (points[-1].value, points[-1].kind, points[-1].method) == (
        D("14.40"),
        "forecast",
        "entered",
    )
    assert all(p.computed and p.method == "interpolated" for p in points[1:-1])
    assert points[2].value == D("5.510")  # 2024
    assert points[0].source == "Verified Market Reports" and points[1].source == ""


def test_seed_implied_cagr_is_shown_beside_the_stated_one_as_info():
    result = build_forecast(seed_report())
    assert fc.as_percent(result.stated_cagr) == D("17.50")
    assert fc.as_percent(result.implied_cagr) == D("17.36")
    (check,) = result.checks
    assert (check.level, check.code) == ("info", "cagr-mismatch")
    assert "17.50 %" in check.message and "17.36 %" in check.message
    # 2024 lies between the 2022 and 2030 figures: the rate they imply is 2022's.
    assert result.implied_period == (2022, 2030)
    assert "for 2022–2030" in check.message and "different periods" in check.message
    assert "rounding" not in check.message  # the gap comes from the periods


def test_an_entered_start_figure_gives_the_implied_rate_the_forecast_period():
    figures = (Figure(2022, D("4.00"), "estimate"), Figure(2024, D("5.50"), "estimate"),
               Figure(2030, D("14.40"), "forecast"))  # fmt: skip
    result = build_forecast(seed_report(figures=figures))
    assert result.implied_period == (2024, 2030)
    assert fc.as_percent(result.implied_cagr) == fc.as_percent(fc.cagr(D("5.50"), D("14.40"), 6))
    assert "different periods" not in " ".join(c.message for c in result.checks)


# Checks: one test each ----------------------------------------------------------


def test_a_wrong_end_value_warns_that_the_cagrs_disagree():
    figures = (Figure(2022, D("4.00"), "estimate"), Figure(2030, D("40.00"), "forecast"))
    result = build_forecast(seed_report(figures=figures))
    assert codes(result, "warning") == ["cagr-mismatch"]
    assert "more than the 0.25 points that different periods can explain" in (
        result.checks[0].message
    )


def test_segments_adding_up_to_more_than_the_total_are_an_error():
    figures = (
        *seed_report().figures,
        Figure(2022, D("3.00"), "estimate", segment="Cancer"),
        Figure(2022, D("1.50"), "estimate", segment="Monogenic"),
    )
    result = build_forecast(seed_report(figures=figures))
    assert codes(result, "error") == ["segments-exceed-total"]
    (check,) = [c for c in result.checks if c.level == "error"]
    assert "In 2022 the segment figures add up to 4.50" in check.message


def test_segments_within_the_total_pass():
    figures = (*seed_report().figures, Figure(2022, D("3.00"), "estimate", segment="Cancer"))
    assert "segments-exceed-total" not in codes(build_forecast(seed_report(figures=figures)))


def test_a_figure_outside_the_report_years_is_a_warning():
    figures = (*seed_report().figures, Figure(2035, D("20"), "forecast"))
    result = build_forecast(seed_report(figures=figures))
    assert "year-outside-report" in codes(result, "warning")


def test_a_forecast_period_without_figures_is_a_warning():
    figures = (Figure(2022, D("4.00"), "estimate"),)
    result = build_forecast(seed_report(figures=figures))
    assert "empty-forecast-period" in codes(result, "warning")


def test_a_base_year_without_a_figure_is_a_warning():
    figures = (Figure(2030, D("14.40"), "forecast"),)
    result = build_forecast(seed_report(figures=figures))
    assert "no-base-year-figure" in codes(result, "warning")


def test_two_figures_in_the_same_year_are_an_error_not_an_exception():
    figures = (Figure(2022, D("4.00"), "estimate"), Figure(2022, D("5.00"), "estimate"))
    result = build_forecast(seed_report(figures=figures))
    assert "duplicate-year" in codes(result, "error")
    assert result.total.points == ()


def test_a_zero_value_leaves_a_gap_and_says_so():
    figures = (
        Figure(2022, D("0"), "estimate"),
        Figure(2030, D("14.40"), "forecast"),
    )
    result = build_forecast(seed_report(figures=figures))
    assert [p.year for p in result.total.points] == [2022, 2030]
    assert "gap" in codes(result, "warning")


def test_a_forecast_period_of_length_zero_is_a_warning():
    result = build_forecast(seed_report(forecast_start_year=2030, forecast_end_year=2030))
    assert "empty-period" in codes(result, "warning")
    assert result.implied_cagr is None


def test_a_single_figure_gives_a_single_point_and_no_implied_cagr():
    figures = (Figure(2022, D("4.00"), "estimate"),)
    result = build_forecast(seed_report(figures=figures, stated_cagr=None))
    assert [p.year for p in result.total.points] == [2022]
    assert result.implied_cagr is None


@pytest.mark.parametrize(
    ("start", "end", "years", "message"),
    [
        (D("0"), D("5"), 3, "starting value above zero"),
        (D("-1"), D("5"), 3, "starting value above zero"),
        (D("1"), D("5"), 0, "two different years"),
        (D("1"), D("-5"), 2, "end value of zero or more"),
    ],
)
def test_cagr_refuses_bad_input_with_a_clear_message(start, end, years, message):
    with pytest.raises(fc.ForecastError, match=message):
        cagr(start, end, years)


# Extrapolation only from a stated CAGR ------------------------------------------


def test_no_extrapolation_without_a_stated_cagr():
    figures = (Figure(2024, D("5.47"), "estimate"),)
    points = build_series(figures, base_year=2024)
    assert [p.year for p in points] == [2024]


def test_stated_cagr_extends_the_series_to_the_end_of_its_period():
    figures = (Figure(2024, D("5.472"), "estimate"),)
    points = build_series(figures, base_year=2024, stated_cagr=D("0.175"), cagr_period=(2024, 2030))
    assert [p.year for p in points] == list(range(2024, 2031))
    assert all(p.method == "stated_cagr" for p in points[1:])
    assert points[-1].value.quantize(D("0.01")) == D("14.40")


def test_stated_cagr_extends_backwards_to_the_start_of_its_period():
    figures = (Figure(2030, D("14.40"), "forecast"),)
    points = build_series(figures, base_year=2022, stated_cagr=D("0.175"), cagr_period=(2024, 2030))
    assert [p.year for p in points] == list(range(2024, 2031))
    assert points[0].value.quantize(D("0.01")) == D("5.47")


def test_stated_cagr_does_not_bridge_years_outside_its_period():
    figures = (Figure(2022, D("4.00"), "estimate"),)
    points = build_series(figures, base_year=2022, stated_cagr=D("0.175"), cagr_period=(2024, 2030))
    assert [p.year for p in points] == [2022]


# Properties ---------------------------------------------------------------------

values = st.decimals(min_value=D("0.001"), max_value=D("100000"), places=3)


@st.composite
def anchor_sets(draw):
    years = draw(st.lists(st.integers(1990, 2100), min_size=1, max_size=6, unique=True))
    return [Figure(year, draw(values), "estimate") for year in sorted(years)]


@given(anchor_sets())
def test_series_passes_through_every_entered_figure_exactly(anchors):
    points = {p.year: p for p in build_series(anchors, base_year=2022)}
    for figure in anchors:
        assert points[figure.year].value == figure.value
        assert points[figure.year].method == "entered"


@given(anchor_sets())
def test_interpolated_values_lie_between_their_neighbours(anchors):
    points = build_series(anchors, base_year=2022)
    assert [p.year for p in points] == list(range(anchors[0].year, anchors[-1].year + 1))
    for left, right in pairwise(anchors):
        low, high = sorted([left.value, right.value])
        inner = [p for p in points if left.year < p.year < right.year]
        assert all(low <= p.value <= high for p in inner)


@given(
    start=st.decimals(min_value=D("0.5"), max_value=D("1000"), places=2),
    rate=st.decimals(min_value=D("-0.3"), max_value=D("0.8"), places=4),
    years=st.integers(1, 15),
)
def test_cagr_computed_back_from_a_series_returns_the_input_rate(start, rate, years):
    end = grow(start, rate, years)
    # The end value is rounded to 0.001 (at most 0.0005 off), so the rate comes
    # back within d(rate) ~ (1 + rate) * d(end) / end / n.
    half_step = D("0.0005")
    tolerance = (1 + rate) * half_step / (end - half_step) / years
    assert abs(cagr(start, end, years) - rate) <= tolerance * D("1.0001")


def test_the_page_tells_a_forecast_for_a_past_year_from_one_ahead_and_marks_its_years():
    from datetime import date

    from market import charts

    chart = {"title": "T", "unit": "USD billion", "points": [
        {"year": 2022, "value": "4.000", "kind": "estimate", "computed": False, "source": "VMR"},
        {"year": 2025, "value": "6.000", "kind": "forecast", "computed": True, "source": ""},
        {"year": 2026, "value": "7.000", "kind": "forecast", "computed": True, "source": ""},
        {"year": 2030, "value": "14.4", "kind": "forecast", "computed": False, "source": "VMR"},
    ]}  # fmt: skip
    report = {"base_year": 2022, "forecast_start_year": 2024}
    shown = charts.for_page(
        chart, report=report, edition_label="Edition 3", today=date(2026, 12, 3)
    )
    assert [p["category"] for p in shown["points"]] == ["estimate", "past", "forecast", "forecast"]
    assert shown["points"][1]["label"] == "Past year, forecast (no actual yet)"
    assert shown["marks"] == {"base_year": 2022, "forecast_start_year": 2024, "today": "2026-12-03"}
    assert shown["source"] == "Source: VMR; years between them computed."
    assert shown["edition"] == "Edition 3" and chart["points"][1]["kind"] == "forecast"
    assert shown["summary"] == (
        "From 4.00 in 2022 (sourced) to 14.40 in 2030 (sourced), in USD billion, "
        "17.36 % a year (computed from the two)."
    )
