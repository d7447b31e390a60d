// Keeps an editor's input when a page holds more fields than one save takes
// (DATA_UPLOAD_MAX_NUMBER_FIELDS): the server would refuse the whole request,
// so the page says so instead of sending it, and nothing typed is lost.
(function () {
  "use strict";
  const marker = document.getElementById("form-limit");
  const form = marker && marker.closest("form");
  if (!form) return;
  const limit = Number(marker.dataset.maxFields);
  form.addEventListener("submit", function (event) {
    const sent = Array.from(new FormData(form, event.submitter).keys()).length;
    if (sent <= limit) return;
    event.preventDefault();
    marker.hidden = false;
    marker.textContent =
      `Not sent: this page holds ${sent} fields, more than the ${limit} one save ` +
      "takes. What you typed is still here: remove some rows, or edit them in their own list.";
    marker.scrollIntoView();
  });
})();
