"""Two editors in two browsers, through the admin pages as rendered: nobody's
work is lost, history reverts, deleted objects come back."""

import re

from tests.e2e.axe import serious_violations

REPORT_ADMIN = "/admin/market/report/"


def open_change_page(page, site_url, changelist, link_text):
    page.goto(site_url + changelist)
    page.get_by_role("link", name=link_text, exact=True).first.click()
    page.wait_for_selector("input[name=_save]")
    return page.url


def save(page):
    """Press Save; an error page (a 5xx) fails here, at the step it happens."""
    with page.expect_navigation() as navigation:
        page.click("input[name=_save]")
    status = navigation.value.status
    assert status < 500, f"the save answered {status}: {page.content()[:500]}"


def messages(page):
    return page.locator(".messagelist li").all_inner_texts()


REPORT_TITLE = "US Gene Therapy Medicinal Products (GTMP) Market"


def test_report_page_merges_different_fields_and_refuses_a_field_both_changed(editors, site_url):
    alice, bob = editors
    url = open_change_page(alice, site_url, REPORT_ADMIN, REPORT_TITLE)
    bob.goto(url)

    # Alice changes the stated CAGR and the summary, and saves.
    alice.fill("#id_stated_cagr", "17.40")
    alice.fill("#id_summary", "Alice's summary.")
    save(alice)
    assert alice.locator(".errornote:visible").count() == 0, alice.content()[:2000]

    # Bob, who opened the page earlier, changed the title only: merged.
    bob.fill("#id_title", f"{REPORT_TITLE} (edited)")
    save(bob)
    assert any("was also saved by alice" in m for m in messages(bob)), messages(bob)
    bob.goto(url)
    assert bob.input_value("#id_title") == f"{REPORT_TITLE} (edited)"
    assert bob.input_value("#id_stated_cagr") == "17.40"
    assert bob.input_value("#id_summary") == "Alice's summary."

    # Now both change the stated CAGR and the methodology.
    alice.goto(url)
    alice.fill("#id_stated_cagr", "17.30")
    alice.fill("#id_methodology", "Alice's methodology.")
    bob.fill("#id_stated_cagr", "18.00")
    bob.fill("#id_methodology", "Bob's methodology.")
    save(alice)
    save(bob)
    note = bob.locator(".errorlist.nonfield").first.inner_text()
    assert "Not saved: alice" in note
    errors = bob.locator(".errorlist").all_inner_texts()
    assert any("Their value: “17.30”" in e for e in errors), errors
    assert any("Their value: “Alice's methodology.”" in e for e in errors), errors
    assert bob.input_value("#id_stated_cagr") == "18.00"  # Bob's input is still there
    assert bob.input_value("#id_methodology") == "Bob's methodology."

    # Having seen both, Bob saves again and keeps his values.
    save(bob)
    bob.goto(url)
    assert bob.input_value("#id_stated_cagr") == "18.00"
    assert bob.input_value("#id_methodology") == "Bob's methodology."


def test_each_part_of_the_report_is_edited_on_its_own_page_from_the_desk(editors, site_url):
    """From the desk, each part's list, then one row's page: two editors there keep
    each other's changes, as on every change page."""
    alice, bob = editors
    alice.goto(site_url + REPORT_ADMIN)
    alice.locator("#result_list tbody th a").first.click()  # its title may be edited
    alice.wait_for_selector("input[name=_save]")
    desk = alice.url
    for part, field in [("Segments", "overview"), ("Market figures", "source"),
                        ("Report sections", "body"), ("Questions", "answer")]:  # fmt: skip
        alice.goto(desk)
        alice.locator(".desk-parts").get_by_role("link", name=part, exact=True).click()
        alice.locator("#result_list tbody th a").first.click()
        alice.wait_for_selector("input[name=_save]")
        url = alice.url
        bob.goto(url)
        alice.fill(f"#id_{field}", f"Alice's {field}.")
        save(alice)
        bob_field = "position" if part != "Market figures" else "source_url"
        bob.fill(f"#id_{bob_field}", "7" if bob_field == "position" else "https://example.com/b")
        save(bob)
        assert any("was also saved by alice" in m for m in messages(bob)), (part, messages(bob))
        bob.goto(url)
        assert bob.input_value(f"#id_{field}") == f"Alice's {field}.", part
        assert bob.get_by_role("link", name="Back to the report's desk").count() == 1


def test_company_form_shows_who_else_is_editing_and_refuses_a_conflict(editors, site_url):
    alice, bob = editors
    url = open_change_page(alice, site_url, "/admin/companies/company/", "Spark Therapeutics")
    bob.goto(url)
    notice = bob.locator("#editing-notice")
    notice.wait_for(state="visible", timeout=15_000)
    assert "alice has this page open too." in notice.inner_text()

    alice.fill("#id_headquarters", "Philadelphia, Pennsylvania (Alice)")
    save(alice)
    bob.wait_for_function(
        "() => document.getElementById('editing-notice').textContent.includes('Saved by alice')",
        timeout=15_000,
    )
    bob.fill("#id_headquarters", "Basel (Bob)")
    save(bob)
    assert "Their value: “Philadelphia, Pennsylvania (Alice)”" in bob.content()
    assert bob.input_value("#id_headquarters") == "Basel (Bob)"


def test_faq_form_and_changelist_keep_both_editors_changes(editors, site_url):
    alice, bob = editors
    changelist = f"{site_url}/admin/faq/question/"
    url = open_change_page(
        alice, site_url, "/admin/faq/question/", "What does a gene therapy actually do?"
    )
    bob.goto(url)
    alice.fill("#id_answer", "Alice's answer.")
    save(alice)
    bob.fill("#id_position", "42")
    save(bob)
    bob.goto(url)
    assert (bob.input_value("#id_answer"), bob.input_value("#id_position")) == (
        "Alice's answer.",
        "42",
    )

    # The list's editable columns: Alice changes a position, Bob unpublishes the row.
    alice.goto(changelist)
    bob.goto(changelist)
    row = alice.locator("#result_list tbody tr", has_text="What does a gene therapy actually do?")
    row.locator("input[name$=-position]").fill("3")
    save(alice)
    bob_row = bob.locator("#result_list tbody tr", has_text="What does a gene therapy actually do?")
    bob_row.locator("input[name$=-is_published]").uncheck()
    save(bob)
    assert any("was also saved by alice" in m for m in messages(bob)), messages(bob)
    bob.goto(url)
    assert bob.input_value("#id_position") == "3"
    assert not bob.is_checked("#id_is_published")


def test_reverting_a_company_in_the_browser_restores_its_segments(editors, site_url):
    alice, _ = editors
    url = open_change_page(alice, site_url, "/admin/companies/company/", "Bluebird Bio")
    chosen = "#id_segments_to option"
    before = alice.locator(chosen).all_inner_texts()
    alice.click("#id_segments_add_all")  # every segment, through the widget as shown
    save(alice)
    alice.goto(url)
    assert len(alice.locator(chosen).all_inner_texts()) > len(before)

    alice.goto(url.replace("/change/", "/history/"))
    alice.locator("#change-history tbody tr").last.locator("a").first.click()  # as loaded
    alice.wait_for_selector("input[name=_save]")
    save(alice)
    assert alice.locator(".errornote").count() == 0
    assert not any("Nothing to restore" in m for m in messages(alice)), messages(alice)
    alice.goto(url)
    assert sorted(alice.locator(chosen).all_inner_texts()) == sorted(before)


def test_revert_from_the_history_page_and_recover_a_deleted_question(editors, site_url):
    alice, _ = editors
    url = open_change_page(alice, site_url, "/admin/faq/question/", "What is a viral vector?")
    original = alice.input_value("#id_answer")
    alice.fill("#id_answer", "A regrettable rewrite.")
    save(alice)

    alice.goto(url.replace("/change/", "/history/"))
    alice.locator("#change-history tbody tr").last.locator("a").first.click()
    alice.wait_for_selector("input[name=_save]")
    save(alice)
    assert alice.locator(".errornote").count() == 0
    alice.goto(url)
    assert alice.input_value("#id_answer") == original

    # Delete it, then bring it back from "Recover deleted".
    alice.goto(url.replace("/change/", "/delete/"))
    alice.click("input[type=submit]")
    alice.wait_for_load_state()
    alice.goto(f"{site_url}/admin/faq/question/recover/")
    alice.get_by_role("link", name="What is a viral vector?").click()
    alice.wait_for_selector("input[name=_save]")
    save(alice)
    alice.goto(f"{site_url}/admin/faq/question/")
    assert alice.get_by_role("link", name="What is a viral vector?").count() == 1
    assert re.search(r"viral vector\?", alice.content())


def test_a_page_grown_past_the_field_limit_is_not_sent_and_keeps_the_input(editors, site_url):
    """Should a page ever hold more fields than one save takes, the browser does not
    send it (the server would refuse all of it) and what was typed stays."""
    alice, _bob = editors
    alice.goto(site_url + REPORT_ADMIN)  # the first report, whatever other tests named it
    alice.locator("#result_list tbody th a").first.click()
    alice.wait_for_selector("input[name=_save]")
    url = alice.url
    alice.console_errors.clear()  # the login's own, if any: only this page's count
    alice.fill("#id_title", "Typed, and kept")
    alice.evaluate("""() => {
        const form = document.getElementById("report_form");
        for (let n = 0; n < 1000; n++) {
            const input = Object.assign(document.createElement("input"),
                                        {type: "hidden", name: `extra-${n}`});
            form.append(input);
        }
    }""")
    alice.click("input[name=_save]")
    alert = alice.locator("#form-limit")
    alert.wait_for(state="visible")
    assert "more than the 1000 one save takes" in alert.inner_text()
    assert alice.url == url and alice.input_value("#id_title") == "Typed, and kept"
    assert alice.console_errors == []


def test_input_typed_and_not_saved_is_offered_back_after_the_tab_closes(editors, site_url):
    """What an editor typed survives a closed tab (kept in this browser only), is
    offered back saying when it was typed, and is forgotten once saved."""
    alice, _ = editors
    url = open_change_page(alice, site_url, "/admin/companies/company/", "Spark Therapeutics")
    alice.fill("#id_headquarters", "Typed, then the tab closed")
    alice.fill("#id_profile", "A profile typed and never saved.")
    context = alice.context
    alice.close()  # the tab closes without saving

    tab = context.new_page()
    tab.goto(url)
    note = tab.locator("#kept-input")
    note.wait_for(state="visible")
    assert "2 fields you typed here on" in note.inner_text()
    assert tab.input_value("#id_headquarters") != "Typed, then the tab closed"
    tab.get_by_role("button", name="Restore what you typed").click()
    assert tab.input_value("#id_headquarters") == "Typed, then the tab closed"
    assert tab.input_value("#id_profile") == "A profile typed and never saved."
    save(tab)
    assert any("was changed successfully" in m for m in messages(tab)), messages(tab)
    tab.goto(url)
    assert tab.locator("#kept-input").is_hidden()
    assert tab.input_value("#id_headquarters") == "Typed, then the tab closed"


def test_a_placeholder_is_inserted_from_the_menu_and_the_checks_update(editors, site_url):
    alice, _ = editors
    alice.goto(site_url + REPORT_ADMIN)
    alice.locator("#result_list tbody th a").first.click()
    panel = alice.locator("#id_summary + .prose-tools")
    panel.locator(".prose-checks li").first.wait_for()  # filled as the page opened
    alice.fill("#id_summary", "It grows to 2031. ")
    panel.get_by_role("button", name="Check and preview").click()
    panel.get_by_text("“2031” is typed").wait_for()
    alice.fill("#id_summary", "It grows to ")
    alice.locator("#id_summary").press("End")
    menu = panel.get_by_role("combobox")
    end_year = next(o for o in menu.locator("option").all_inner_texts() if "end_year" in o)
    menu.select_option(label=end_year)
    assert alice.input_value("#id_summary") == "It grows to {{ end_year }}"
    panel.get_by_role("button", name="Check and preview").click()
    panel.locator(".prose-preview").get_by_text("It grows to 2030").wait_for()
    assert "is typed" not in panel.locator(".prose-checks").inner_text()


def test_axe_finds_no_serious_violation_on_the_pages_an_editor_uses(editors, site_url):
    """The desk, each part's list and one row's page (walked from the desk's own
    links, so a new part is covered too), the history and editions pages."""
    alice, _ = editors
    alice.goto(site_url + REPORT_ADMIN)
    alice.locator("#result_list tbody th a").first.click()
    alice.wait_for_selector("input[name=_save]")
    desk = alice.url
    parts = alice.locator(".desk-parts th a").evaluate_all("links => links.map(a => a.href)")
    pages, found = (
        [desk, desk.replace("/change/", "/history/"), desk.replace("/change/", "/editions/")],
        {},
    )
    for part in parts:
        alice.goto(part)
        pages += [part, alice.locator("#result_list tbody th a").first.evaluate("a => a.href")]
    for url in pages:
        alice.goto(url)
        found[url] = serious_violations(alice)
    assert len(parts) >= 6
    assert {url: v for url, v in found.items() if v} == {}
