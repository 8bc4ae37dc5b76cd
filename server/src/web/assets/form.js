// Ceria request form: live checks as the person types, our own script (no third-party code,
// loaded with `defer`: the CSP forbids inline script). Progressive enhancement only: without
// it the form posts and the server checks, saves and answers the same messages.
//
// When a field is left or changed, the form's values are posted (urlencoded, without files)
// to the form's `data-live` URL; the server saves them in the draft and answers JSON: the
// message of each field and attachment, and which fields are relevant and required now.
// Messages go into the field's `#msg-<id>` (named by its `aria-describedby`), with
// `aria-invalid` on the input; fields that stop being relevant are hidden and disabled.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live]");
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-live");
  var touched = {};
  var pending = null;
  var inflight = false;
  var again = false;

  function values() {
    var params = new URLSearchParams();
    var data = new FormData(form);
    data.forEach(function (value, name) {
      if (typeof value === "string") params.append(name, value);
    });
    return params;
  }

  function fieldOf(el) {
    var box = el.closest("[data-field]");
    return box ? box.getAttribute("data-field") : null;
  }

  function show(box, input, message, id) {
    var out = document.getElementById(id);
    if (!out) return;
    var text = message ? message.text : "";
    if (out.textContent !== text) out.textContent = text;
    out.classList.toggle("error", !!message && message.severity === "error");
    out.classList.toggle("warning", !!message && message.severity === "warning");
    var bad = !!message && message.severity === "error";
    if (box) box.classList.toggle("invalid", bad);
    if (input) {
      if (bad) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }

  function apply(answer) {
    var relevant = {};
    answer.relevant.forEach(function (id) { relevant[id] = true; });
    form.querySelectorAll("[data-field]").forEach(function (box) {
      var id = box.getAttribute("data-field");
      var input = document.getElementById("v-" + id);
      var hide = answer.relevant.length > 0 && !relevant[id] && id !== "on_behalf_of";
      if (box.hidden !== hide) {
        box.hidden = hide;
        box.querySelectorAll("input, select, textarea").forEach(function (el) {
          el.disabled = hide;
        });
      }
      var message = answer.fields[id];
      // A message shows once the person has left the field, or while one is shown already.
      var out = document.getElementById("msg-" + id);
      var shown = out && out.textContent !== "";
      if (touched[id] || shown) show(box, input, touched[id] || message ? message : null, "msg-" + id);
    });
    form.querySelectorAll("[data-upload]").forEach(function (box) {
      var req = box.getAttribute("data-requirement");
      var out = document.getElementById("msg-file-" + req);
      if (out && out.textContent !== "" && !answer.attachments[req]) {
        show(box, document.getElementById("file-" + req), null, "msg-file-" + req);
      }
    });
  }

  function run() {
    if (inflight) { again = true; return; }
    inflight = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: values()
    }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (answer) {
      if (answer) apply(answer);
    }).catch(function () {
      // Offline or refused: the post still checks everything.
    }).then(function () {
      inflight = false;
      if (again) { again = false; run(); }
    });
  }

  function soon(delay) {
    if (pending) clearTimeout(pending);
    pending = setTimeout(run, delay);
  }

  form.addEventListener("focusout", function (event) {
    var id = fieldOf(event.target);
    if (!id || event.target.type === "submit") return;
    touched[id] = true;
    soon(0);
  });
  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el.type === "file") return;
    var id = fieldOf(el);
    if (id) touched[id] = true;
    // A region level chosen: the next level's list comes from the server.
    if (el.hasAttribute("data-region-level")) {
      var choose = el.closest("fieldset").querySelector("[data-choose]");
      if (choose && form.requestSubmit) { form.requestSubmit(choose); return; }
    }
    soon(0);
  });
  form.addEventListener("input", function (event) {
    var id = fieldOf(event.target);
    // While typing, check after a pause (messages of untouched fields stay hidden).
    if (id) soon(400);
  });
})();
