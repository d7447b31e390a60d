// Keeps what an editor types into an admin change form in this browser
// (localStorage, never sent anywhere) until the form is saved, and offers it
// back after a closed tab, a crash or a refused save, saying when it was typed.
// The note it fills is #kept-input (templates/admin/content_change_form.html).
(function () {
  "use strict";
  const KEY = `gtmp-kept-input:${location.pathname}`;
  const PENDING = "gtmp-kept-input:pending";
  // A save that succeeded clears what was kept for it: the page it leads to (this
  // one again, or the list) says so. Any other page after a save means it was refused.
  const pending = sessionStorage.getItem(PENDING);
  const refused = pending === KEY && !document.querySelector(".messagelist .success");
  if (pending && !refused) localStorage.removeItem(pending);
  sessionStorage.removeItem(PENDING);

  const note = document.getElementById("kept-input");
  if (!note) return;
  const form = note.closest("form");
  const SKIP = /^(csrfmiddlewaretoken|opened_version|reviewed_version|.*-opened_version|.*-reviewed_version|_.*)$/;

  function fields() {
    return [...form.elements].filter(
      (el) => el.name && !SKIP.test(el.name) && !["file", "password", "submit", "button", "hidden"].includes(el.type),
    );
  }

  function valueOf(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked;
    if (el.multiple) return [...el.selectedOptions].map((o) => o.value);
    return el.value;
  }

  function setValue(el, value) {
    if (el.type === "checkbox" || el.type === "radio") el.checked = value;
    else if (el.multiple) [...el.options].forEach((o) => (o.selected = value.includes(o.value)));
    else el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  const opened = new Map(fields().map((el) => [el, JSON.stringify(valueOf(el))]));

  // What this page's fields hold that differs from how the page opened, added to
  // what was kept before (a refused save's page opens with the input it refused).
  function keep() {
    const before = JSON.parse(localStorage.getItem(KEY) || "null");
    const typed = before ? before.typed : {};
    for (const el of fields()) {
      const value = valueOf(el);
      if (opened.get(el) !== JSON.stringify(value)) typed[el.id || el.name] = value;
    }
    if (Object.keys(typed).length) localStorage.setItem(KEY, JSON.stringify({ at: Date.now(), typed }));
  }


  const kept = JSON.parse(localStorage.getItem(KEY) || "null");
  if (kept) {
    const differs = Object.entries(kept.typed).filter(([id, value]) => {
      const el = document.getElementById(id) || form.elements.namedItem(id);
      return el && JSON.stringify(valueOf(el)) !== JSON.stringify(value);
    });
    if (differs.length) {
      const when = new Date(kept.at).toLocaleString();
      note.querySelector(".kept-when").textContent = when;
      note.querySelector(".kept-count").textContent = `${differs.length} field${differs.length === 1 ? "" : "s"}`;
      note.hidden = false;
      note.querySelector(".kept-restore").addEventListener("click", () => {
        for (const [id, value] of differs) setValue(document.getElementById(id) || form.elements.namedItem(id), value);
        note.hidden = true;
        keep();
      });
      note.querySelector(".kept-discard").addEventListener("click", () => {
        localStorage.removeItem(KEY);
        note.hidden = true;
      });
    } else if (!refused) {
      localStorage.removeItem(KEY); // the page already holds all of it
    }
  }

  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
  form.addEventListener("submit", () => sessionStorage.setItem(PENDING, KEY));
})();
