"""The Content-Security-Policy in a real browser: the site's own pages, the admin
and the API docs work with no violation, and an injected inline script is refused."""

import pytest

from gtmp_site.local_site import manage, running_site
from tests.e2e.charts import DRAWN_PIXELS, scrolled_to_chart
from tests.e2e.test_browser import PUBLIC_PAGES, REPORT

# Records every violation the browser reports, before any page script runs.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
# Redoc's sidebar links to its maker with a logo from their CDN; the policy
# refuses it (nothing is fetched from a third-party host) and Redoc hides it.
REDOC_LOGO = "img-src https://cdn.redoc.ly/redoc/logo-mini.svg"


def violations(page):
    return page.evaluate("window.cspViolations")


@pytest.fixture
def watched(page):
    page.add_init_script(RECORD_VIOLATIONS)
    return page


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_break_no_rule_of_the_policy(watched, site_url, path):
    response = watched.goto(site_url + path)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    watched.wait_for_load_state("networkidle")
    assert violations(watched) == []


def test_an_injected_inline_script_is_refused_while_the_chart_still_draws(watched, site_url):
    watched.goto(site_url + REPORT)
    scrolled_to_chart(watched, "chart-total")
    watched.evaluate("""() => {
      const script = document.createElement("script");
      script.textContent = "window.injected = true";
      document.body.append(script);
    }""")
    assert watched.evaluate("window.injected") is None
    assert violations(watched) == ["script-src-elem inline"]
    assert watched.locator("#chart-total-canvas").evaluate(DRAWN_PIXELS) > 0.02


def test_swagger_ui_and_redoc_render_the_api_under_the_policy(watched, site_url):
    watched.goto(f"{site_url}/api/v1/docs/explorer/")
    watched.locator(".opblock-tag", has_text="reports").first.wait_for()
    assert violations(watched) == []

    watched.goto(f"{site_url}/api/v1/redoc/")
    watched.locator("h1", has_text="GTMP Market Insights API").wait_for()
    watched.wait_for_load_state("networkidle")
    assert set(violations(watched)) <= {REDOC_LOGO}


ADMIN_PAGES = [
    "/admin/",
    "/admin/market/report/1/change/",
    "/admin/market/report/1/history/",
    "/admin/market/marketfigure/",
    "/admin/market/marketfigure/import/",
    "/admin/companies/company/add/",
    "/admin/faq/question/recover/",
]


def test_the_admin_works_under_the_policy(editors, site_url):
    alice, _bob = editors
    alice.add_init_script(RECORD_VIOLATIONS)
    for path in ADMIN_PAGES:
        alice.goto(site_url + path)
        alice.wait_for_load_state("networkidle")
        assert violations(alice) == [], path
    # The admin's own scripts run: the collapsible fieldsets and the calendar widget.
    alice.goto(f"{site_url}/admin/market/report/1/change/")
    assert alice.locator("#editing-notice, .calendarbox, .datetimeshortcuts").count() > 0


RECORD_RUNS = """
window.xssRuns = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => window.xssRuns.push(`${name}(${args.join(",")})`);
}
"""
FILL = "from tests.test_security import fill_with_payloads; from tests.xss_payloads import PAYLOADS; fill_with_payloads(PAYLOADS)"  # noqa: E501


@pytest.fixture(scope="module")
def hostile_site(chromium_path, tmp_path_factory):
    """A site of its own whose every public text field holds the payload corpus."""
    folder = tmp_path_factory.mktemp("hostile")
    with running_site(folder, workers=1) as (url, _server):
        manage(folder, "shell", "-c", FILL)
        yield url


@pytest.mark.parametrize("csp", ["enforced", "bypassed"])
def test_no_payload_runs_even_with_the_policy_bypassed(browser, hostile_site, csp):
    """Sanitising alone keeps every payload inert (the policy bypassed), and with
    the policy both layers do."""
    url = hostile_site
    context = browser.new_context(bypass_csp=csp == "bypassed")
    page = context.new_page()
    page.add_init_script(RECORD_RUNS)
    company = page.request.get(f"{url}/api/v1/companies/").json()["results"][0]["page_url"]
    for path in ["/", REPORT, f"{REPORT}segments/cancer/", "/companies/", company, "/faq/"]:
        page.goto(path if path.startswith("http") else url + path)
        page.wait_for_load_state("networkidle")
        page.mouse.move(200, 200)
        assert page.evaluate("[window.xssRuns, window.xss ?? null]") == [[], None], path
    context.close()
