"""A reader sends an enquiry from the report page in Chromium, without JavaScript,
to the site as deployed (gunicorn, production settings); an editor finds it in
the admin's inbox."""

REPORT = "/reports/us-gene-therapy-medicinal-products-market/"


def test_a_readers_enquiry_reaches_the_editors_inbox(browser, site_url, editors):
    reader = browser.new_context(java_script_enabled=False).new_page()
    reader.goto(f"{site_url}{REPORT}")
    reader.get_by_role("link", name="Request the full report").click()
    assert reader.get_by_label("Request the full report").is_checked()
    reader.get_by_label("Your name").fill("Grace Reader")
    reader.get_by_label("Work e-mail").fill("grace@example.org")
    reader.get_by_label("Organisation").fill("Example Capital")
    reader.get_by_label("Message").fill("May we license the full report for our team?")
    reader.get_by_role("button", name="Send the enquiry").click()
    # Refused without consent: the error is said, and what was typed is kept.
    assert "Tick this box" in reader.locator(".form-field-consent").inner_text()
    assert reader.get_by_label("Organisation").input_value() == "Example Capital"
    reader.get_by_label("You may contact me about this enquiry").check()
    reader.get_by_role("button", name="Send the enquiry").click()
    assert "your enquiry was sent" in reader.locator("h1").inner_text()
    reader.context.close()
    alice, _bob = editors
    alice.goto(f"{site_url}/admin/enquiries/enquiry/?q=license")
    row = alice.locator("#result_list tbody tr")
    assert row.count() == 1
    assert "Grace Reader" in row.inner_text() and "Request the full report" in row.inner_text()
