// Tells an editor who else has the same admin page open, and when a colleague
// saved the object after this page was opened (gtmp_site/core/admin_base.py,
// ContentAdmin.editing_view). Reports every few seconds; no reload needed.
(function () {
  "use strict";
  const notice = document.getElementById("editing-notice");
  if (!notice) return;
  const form = notice.closest("form");
  const token = form && form.querySelector("[name=csrfmiddlewaretoken]");
  if (!token) return;
  const EVERY_MS = 5000;

  function body(extra) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", token.value);
    data.append("version", notice.dataset.version);
    if (extra) data.append(extra, "1");
    return data;
  }

  function show(answer) {
    const parts = [];
    if (answer.others && answer.others.length) {
      const names = answer.others.join(", ");
      parts.push(`${names} ${answer.others.length === 1 ? "has" : "have"} this page open too.`);
    }
    if (answer.saved_by) {
      parts.push(
        `Saved by ${answer.saved_by} after you opened this page: on saving, your changes ` +
          "are applied to theirs, and a field you both changed is shown with both values.",
      );
    }
    notice.textContent = parts.join(" ");
    notice.hidden = parts.length === 0;
  }

  function report() {
    fetch(notice.dataset.url, { method: "POST", body: body(), credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((answer) => answer && show(answer))
      .catch(() => {}); // a missed report only delays the notice
  }

  report();
  setInterval(report, EVERY_MS);
  window.addEventListener("pagehide", () => {
    navigator.sendBeacon(notice.dataset.url, body("leave"));
  });
})();
