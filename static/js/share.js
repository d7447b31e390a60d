/* Copy buttons of the Share panel (templates/market/_share.html).
 *
 * Each <button data-copy="ID"> copies the value of the field #ID. The buttons
 * are hidden until this script runs; without it, a click in a field selects its
 * text to copy by hand. A status line tells screen-reader users what happened.
 */
(function () {
  "use strict";

  var status = document.getElementById("share-status");

  function say(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      var copied = navigator.clipboard
        ? navigator.clipboard.writeText(field.value)
        : Promise.reject(new Error("no clipboard"));
      copied.then(function () {
        button.textContent = "Copied";
        say("Copied to the clipboard.");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      }, function () {
        say("Selected: press Ctrl+C, or Cmd+C, to copy.");
      });
    });
  });

  document.querySelectorAll(".copy-field input, .copy-field textarea").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
