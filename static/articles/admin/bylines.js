// Bylines reorder by dragging a row's handle, or with its up and down buttons (keyboards).
// The position fields are written 0, 1, 2... in the order shown, for the rows with an author;
// the server keeps them 0..n-1 whatever is posted. Without JavaScript the numbers are typed.
(function () {
  "use strict";

  function element(tag, text, attributes) {
    const made = document.createElement(tag);
    made.textContent = text;
    Object.keys(attributes).forEach(function (name) { made.setAttribute(name, attributes[name]); });
    return made;
  }

  function setUp(group, labels) {
    const body = group.querySelector("tbody");
    let dragged = null;

    function rows() {
      return Array.from(body.querySelectorAll("tr.form-row:not(.empty-form)")).filter(function (row) {
        return row.querySelector("input[name$='-position']");
      });
    }

    // Only rows with an author: numbering an unused extra row would make Django validate it.
    function renumber() {
      let position = 0;
      rows().forEach(function (row) {
        const author = row.querySelector("[name$='-author']");
        if (author && author.value) {
          row.querySelector("input[name$='-position']").value = position;
          position += 1;
        }
      });
    }

    function addControls(row) {
      const cell = row.querySelector("input[name$='-position']").closest("td");
      if (cell.querySelector(".byline-order")) return;
      cell.querySelector("input[name$='-position']").hidden = true;
      // The handle is for mice; keyboards and screen readers have the buttons.
      const handle = element("span", "⠿", {
        class: "byline-handle", draggable: "true", title: labels.drag, "aria-hidden": "true",
      });
      const up = element("button", "↑", {
        type: "button", "data-move": "-1", "aria-label": labels.up, title: labels.up,
      });
      const down = element("button", "↓", {
        type: "button", "data-move": "1", "aria-label": labels.down, title: labels.down,
      });
      const controls = element("span", "", { class: "byline-order" });
      controls.append(handle, " ", up, " ", down);
      cell.appendChild(controls);
      handle.addEventListener("dragstart", function (event) {
        dragged = row;
        row.classList.add("byline-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", "");
        event.dataTransfer.setDragImage(row, 16, 16);
      });
      handle.addEventListener("dragend", function () {
        row.classList.remove("byline-dragging");
        dragged = null;
        renumber();
      });
    }

    body.addEventListener("dragover", function (event) {
      const target = event.target.closest("tr.form-row:not(.empty-form)");
      if (!dragged || !target || target === dragged) return;
      event.preventDefault();
      const box = target.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      body.insertBefore(dragged, after ? target.nextSibling : target);
    });
    body.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      renumber();
    });
    body.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-move]");
      if (!button) return;
      const row = button.closest("tr");
      const all = rows();
      const index = all.indexOf(row) + Number(button.dataset.move);
      if (index < 0 || index >= all.length) return;
      const other = all[index];
      body.insertBefore(row, Number(button.dataset.move) < 0 ? other : other.nextSibling);
      renumber();
      button.focus();
    });

    rows().forEach(addControls);
    // Rows added with "Add another byline" (Django's inlines.js sends formset:added).
    document.addEventListener("formset:added", function (event) {
      if (body.contains(event.target)) addControls(event.target);
    });
    group.closest("form").addEventListener("submit", renumber);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const labels = document.getElementById("byline-order-labels");
    if (!labels) return;
    document.querySelectorAll(".js-inline-admin-formset[id^='bylines']").forEach(function (group) {
      setUp(group, labels.dataset);
    });
  });
})();
