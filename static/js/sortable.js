/* Sorts a table[data-sortable] by a column when its heading's button is pressed.
 *
 * Progressive enhancement: without this script the table keeps its server
 * order. Each heading becomes a button and carries aria-sort, so screen
 * readers hear the current order. A cell's data-sort-value, when present,
 * is what it sorts by (an ISO date for dates); a heading with
 * data-sort-type="none" is not sortable.
 */
(function () {
  "use strict";

  function key(row, column) {
    var cell = row.cells[column];
    return (cell.dataset.sortValue || cell.textContent).trim().toLowerCase();
  }

  function enhance(table) {
    var headings = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headings.forEach(function (heading, column) {
      if (heading.dataset.sortType === "none") {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = heading.textContent;
      heading.textContent = "";
      heading.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = heading.getAttribute("aria-sort") !== "ascending";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var order = key(a, column).localeCompare(key(b, column), undefined, { numeric: true });
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        headings.forEach(function (other) { other.removeAttribute("aria-sort"); });
        heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      });
    });
  }

  document.querySelectorAll("table[data-sortable]").forEach(enhance);
})();
