// Beside each prose field of a report (or of one of its rows): an insert menu of
// the placeholders the report can fill, each with what it gives now, and a checks
// panel with a preview of the text as readers will see it, updated on demand
// without a reload (ReportAdmin.prose_view in market/admin.py).
(function () {
  "use strict";
  const tools = document.getElementById("prose-tools");
  if (!tools) return;
  const form = tools.closest("form");
  const token = form.querySelector("[name=csrfmiddlewaretoken]");
  const url = tools.dataset.url;

  function element(tag, attrs, text) {
    const el = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => el.setAttribute(k, v));
    if (text) el.textContent = text;
    return el;
  }

  function labelOf(area) {
    const label = form.querySelector(`label[for="${area.id}"]`);
    return label ? label.textContent.replace(/:$/, "").trim() : "This text";
  }

  function insert(area, code) {
    const start = area.selectionStart ?? area.value.length;
    const end = area.selectionEnd ?? start;
    area.value = area.value.slice(0, start) + code + area.value.slice(end);
    area.selectionStart = area.selectionEnd = start + code.length;
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function show(panel, answer) {
    const list = panel.querySelector("ul");
    list.replaceChildren(
      ...answer.items.map((item) => element("li", { class: `check-${item.level}` }, item.message)),
    );
    if (!answer.items.length) list.append(element("li", {}, "No problems found."));
    // The server renders and sanitises the preview (gtmp_site/core/prose.py, nh3).
    panel.querySelector(".prose-preview").innerHTML = answer.preview;
    panel.querySelector(".prose-status").textContent = `Checked at ${new Date().toLocaleTimeString()}.`;
  }

  function check(area, panel) {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", token.value);
    body.append("text", area.value);
    body.append("where", labelOf(area));
    panel.querySelector(".prose-status").textContent = "Checking…";
    fetch(url, { method: "POST", body, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((answer) => show(panel, answer))
      .catch(() => (panel.querySelector(".prose-status").textContent = "The check could not run; try again."));
  }

  fetch(url, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : { placeholders: [] }))
    .then(({ placeholders }) => {
      for (const area of form.querySelectorAll("textarea[data-prose]")) {
        const panel = element("div", { class: "prose-tools" });
        const menu = element("select", { "aria-label": `Insert a placeholder into ${labelOf(area)}` });
        menu.append(element("option", { value: "" }, "Insert a placeholder…"));
        for (const { code, value } of placeholders) menu.append(element("option", { value: code }, `${code} → ${value}`));
        menu.addEventListener("change", () => {
          if (menu.value) insert(area, menu.value);
          menu.value = "";
        });
        const button = element("button", { type: "button", class: "button" }, "Check and preview");
        button.addEventListener("click", () => check(area, panel));
        panel.append(
          menu,
          button,
          element("span", { class: "prose-status", role: "status", "aria-live": "polite" }),
          element("ul", { class: "prose-checks" }),
          element("div", { class: "prose-preview", "aria-label": `Preview of ${labelOf(area)}` }),
        );
        area.after(panel);
        check(area, panel); // the panel opens filled, as of the page's text
      }
    });
})();
