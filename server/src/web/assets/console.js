// Ceria staff console: the one script, our own. Progressive enhancement only: every page
// works without it. Loaded with `defer` from this origin (the CSP forbids inline script).
(function () {
  "use strict";

  // Attachments: zoom and rotate a photo in place.
  document.querySelectorAll("figure[data-image]").forEach(function (figure) {
    var img = figure.querySelector("img");
    var tools = figure.querySelector(".tools");
    if (!img || !tools) return;
    tools.hidden = false;
    var turns = 0;
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-act]");
      if (!button) return;
      if (button.dataset.act === "rotate") {
        img.classList.remove("rot" + turns * 90);
        turns = (turns + 1) % 4;
        if (turns) img.classList.add("rot" + turns * 90);
      } else if (button.dataset.act === "zoom") {
        var zoomed = figure.classList.toggle("zoomed");
        button.setAttribute("aria-pressed", zoomed ? "true" : "false");
      }
    });
  });

  // Bulk selection: one box selects every row; the button shows how many are selected.
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var form = all.form;
    if (!form) return;
    var boxes = form.querySelectorAll("input[type=checkbox][name=id]");
    var count = form.querySelector("[data-selected-count]");
    function update() {
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) n++; });
      if (count) count.textContent = String(n);
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });

  // Filters: submit as soon as a choice changes.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Confirmation before an action that cannot be undone (reject).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
