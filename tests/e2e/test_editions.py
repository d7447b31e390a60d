"""An edition in Chromium, as editors and a reader go through it: an editor changes
the 2030 figure and submits the working copy, a second person (a Publisher)
publishes it, and the earlier edition, its download and the API still show the
old number while what-changed lists exactly that figure."""

import json
import re
import urllib.request

from gtmp_site.local_site import manage
from tests.e2e.conftest import publish_from_shell
from tests.e2e.test_editing import REPORT_ADMIN, messages, save

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"
MAKE_PUBLISHER = (
    "from django.contrib.auth.models import User; "
    "from gtmp_site.core.editors import ensure_publishers_group; "
    "User.objects.get(username='bob').groups.add(ensure_publishers_group())"
)


def set_total_2030(page, site_url, value):
    """From the report's desk, open the whole market's 2030 figure on its own page,
    type ``value`` and save; returns (the value it had, the desk's address)."""
    page.goto(site_url + REPORT_ADMIN)
    page.locator("#result_list tbody th a").first.click()
    page.wait_for_selector("input[name=_save]")
    desk = page.url
    page.locator(".desk-parts").get_by_role("link", name="Market figures", exact=True).click()
    row = (
        page.locator("#result_list tbody tr")
        .filter(has_text="Whole market")
        .filter(has_text="2030")
    )
    row.locator("th a").click()
    page.wait_for_selector("input[name=_save]")
    before = page.input_value("#id_value")
    page.fill("#id_value", value)
    save(page)
    return before, desk


def press(page, name):
    """Press the button ``name`` and wait for the page its form answers with."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def latest_label(site_url):
    with urllib.request.urlopen(f"{site_url}/api/v1{REPORT}editions/") as response:
        return json.load(response)[0]["edition"]


def total_2030_of(site_url, edition):
    url = f"{site_url}/api/v1{REPORT}forecast/?edition={edition}"
    with urllib.request.urlopen(url) as response:
        points = json.load(response)["series"][0]["points"]
    return next(p["value"] for p in points if p["year"] == 2030)


def test_an_editor_submits_a_publisher_publishes_and_the_old_edition_stays(
    editors, page, site_url, site_folder
):
    alice, bob = editors
    manage(site_folder, "shell", "-c", MAKE_PUBLISHER)
    old_label = latest_label(site_url)
    old_value, change_page = set_total_2030(alice, site_url, "15.25")
    try:
        # Readers keep the published edition; the editor's preview shows the change.
        page.goto(site_url + REPORT)
        assert f"USD {float(old_value):.2f} billion" in page.locator(".stats").inner_text()
        alice.goto(f"{site_url}{REPORT}preview/")
        assert "USD 15.25 billion" in alice.locator(".stats").inner_text()
        differs = re.sub(r"\s+", " ", alice.locator(".preview-changes #figures").inner_text())
        assert "Whole market 2030" in differs
        alice.goto(change_page)
        with alice.expect_navigation():
            alice.get_by_role("link", name="Editions and review").click()
        alice.fill("#id_submit-note", "The 2030 forecast is revised.")
        alice.fill("#id_submit-reviewed_on", "2026-11-30")
        press(alice, "Submit for review")
        assert "Submitted for review by a publisher." in messages(alice)
        assert alice.get_by_role("button", name="Publish this edition").count() == 0

        bob.goto(alice.url)
        press(bob, "Publish this edition")
        said = messages(bob)
        published = [m for m in said if m.startswith("Edition ")]
        assert published, said  # the page's messages say why not
        new_label = re.match(r"Edition ([\d.]+) is published\.", published[0])[1]
        assert new_label != old_label

        page.goto(site_url + REPORT)
        assert "USD 15.25 billion" in page.locator(".stats").inner_text()
        page.goto(f"{site_url}{REPORT}editions/{new_label}/")
        assert "USD 15.25 billion" in page.locator(".stats").inner_text()
        page.goto(f"{site_url}{REPORT}editions/{old_label}/")
        assert f"USD {float(old_value):.2f} billion" in page.locator(".stats").inner_text()
        assert total_2030_of(site_url, old_label) == f"{float(old_value):.3f}"
        assert total_2030_of(site_url, new_label) == "15.250"

        page.goto(f"{site_url}{REPORT}editions/{new_label}/changes/?from={old_label}")
        rows = page.locator("#figures tbody tr")
        assert rows.count() == 1
        assert re.sub(r"\s+", " ", rows.first.inner_text()).startswith("Whole market 2030")
        assert "The 2030 forecast is revised." in page.locator(".lead").inner_text()
        assert page.console_errors == []
    finally:  # the next tests read the report as it was loaded
        set_total_2030(alice, site_url, old_value)
        publish_from_shell(site_folder, "The 2030 forecast as it was.")
