// Ceria web forms: resumable uploads of attachments, our own small tus 1.0.0 client.
// Progressive enhancement only: without it the form posts the chosen file itself.
//
// For every `[data-upload]` block (see `web::uploads`): when a file is chosen, a JPEG or
// PNG photo larger than `data-max-bytes` is scaled down here (canvas to JPEG, smaller until
// it fits); the file is then sent to `data-upload-url` with tus (creation, then PATCHes of
// CHUNK bytes with a progress bar); a dropped connection is retried after a growing pause,
// asking the server (HEAD) how many bytes it holds and going on from there. When done, the
// SHA-256 the server computed goes into the hidden `upload.<requirement>` field and the file
// field is cleared, so the form does not send the bytes again. Texts come from the page
// (`data-texts` of this script's tag, in the page's language); none is written here.
(function () {
  "use strict";

  var script = document.currentScript;
  var texts = {};
  try {
    texts = JSON.parse((script && script.getAttribute("data-texts")) || "{}");
  } catch (e) {
    texts = {};
  }
  var lang = document.documentElement.lang === "en" ? "en" : "id";

  var TUS = "1.0.0";
  var CHUNK = 1024 * 1024;
  // Pauses before the next try after a dropped connection (ms); then the upload waits
  // for the person to choose the file again.
  var BACKOFF = [500, 1000, 2000, 4000, 8000, 15000];
  // Uploads already created in this page: a file chosen again resumes where it stopped.
  var known = {};

  function say(code, params) {
    var text = texts[code] || code;
    Object.keys(params || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(params[key]));
    });
    return text;
  }

  function size(bytes) {
    var mb = bytes / (1024 * 1024);
    var format = function (n) {
      return n.toLocaleString(lang === "en" ? "en-GB" : "id-ID", { maximumFractionDigits: 1 });
    };
    return mb >= 1 ? format(mb) + " MB" : format(bytes / 1024) + " KB";
  }

  function csrfOf(block) {
    var form = block.closest("form");
    var field = form && form.querySelector("input[name=_csrf]");
    return block.getAttribute("data-csrf") || (field ? field.value : "");
  }

  function base64(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = "";
    bytes.forEach(function (b) { binary += String.fromCharCode(b); });
    return btoa(binary);
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // A connection can stall without breaking (common on rural mobile networks): an exchange
  // that moves no byte either way for this long is abandoned like a dropped one, and the
  // upload asks the server where it is.
  var STALL_MS = 30000;

  // One HTTP exchange: resolves with the XHR whatever its status (status 0: no answer, the
  // connection dropped or stalled); `progress` gets the bytes of the body sent so far.
  function send(method, url, headers, body, progress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      var moved = Date.now();
      var watch = setInterval(function () {
        if (Date.now() - moved > STALL_MS) xhr.abort();
      }, 1000);
      var done = function () {
        clearInterval(watch);
        resolve(xhr);
      };
      xhr.open(method, url);
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      if (xhr.upload) {
        xhr.upload.onprogress = function (event) {
          moved = Date.now();
          if (progress) progress(event.loaded);
        };
      }
      xhr.onprogress = function () { moved = Date.now(); };
      xhr.onload = done;
      xhr.onerror = xhr.ontimeout = xhr.onabort = done;
      xhr.send(body === undefined ? null : body);
    });
  }

  // Worth trying again later: no answer, busy or failing server, or too many requests.
  function passing(status) {
    return status === 0 || status === 429 || status >= 500;
  }

  // The server's words for a refusal (its problem+json, in the page's language).
  function problemText(xhr) {
    try {
      var problem = JSON.parse(xhr.responseText);
      return problem["message_" + lang] || problem.message_id || problem.title || String(xhr.status);
    } catch (e) {
      return String(xhr.status || "");
    }
  }

  // A permanent refusal: shown to the person, no retry.
  function Refused(xhr) { this.message = problemText(xhr); }

  // A JPEG or PNG photo over `max` bytes, scaled down to a JPEG under it; anything else,
  // or a photo the browser cannot decode, as it is (the server then says what is wrong).
  async function fit(file, max, status) {
    if (!max || file.size <= max || !/^image\/(jpeg|png)$/.test(file.type) ||
        typeof createImageBitmap !== "function") {
      return file;
    }
    status(say("scaling", { name: file.name }));
    var bitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch (e) {
      return file;
    }
    var scale = Math.min(1, Math.sqrt(max / file.size) * 1.5);
    var quality = 0.85;
    var canvas = document.createElement("canvas");
    for (var i = 0; i < 12; i++) {
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      var blob = await new Promise(function (resolve) {
        canvas.toBlob(resolve, "image/jpeg", quality);
      });
      if (blob && blob.size <= max) {
        var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
      }
      scale *= 0.8;
      quality = Math.max(0.5, quality - 0.05);
    }
    return file;
  }

  async function sha256(file) {
    if (!window.crypto || !crypto.subtle) return null;
    try {
      var digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
      return Array.from(new Uint8Array(digest)).map(function (b) {
        return b.toString(16).padStart(2, "0");
      }).join("");
    } catch (e) {
      return null;
    }
  }

  // Creates the upload; its URL. Throws Refused, or answers null when no answer came.
  async function create(block, file, headers) {
    var requirement = block.getAttribute("data-requirement") || "";
    var meta = [
      "filename " + base64(file.name),
      "filetype " + base64(file.type || "application/octet-stream"),
      "requirement " + base64(requirement),
    ];
    var sum = await sha256(file);
    if (sum) meta.push("sha256 " + base64(sum));
    var xhr = await send("POST", block.getAttribute("data-upload-url"), Object.assign({
      "Upload-Length": String(file.size),
      "Upload-Metadata": meta.join(","),
    }, headers));
    if (passing(xhr.status)) return null;
    if (xhr.status !== 201) throw new Refused(xhr);
    return xhr.getResponseHeader("Location");
  }

  // Sends `file` to the upload at `url` from wherever the server is; the server's SHA-256.
  async function transfer(url, file, headers, shown) {
    var offset = null;
    var failures = 0;
    for (;;) {
      if (offset === null) {
        var head = await send("HEAD", url, headers);
        if (passing(head.status)) {
          offset = null;
        } else if (head.status !== 200) {
          throw new Refused(head);
        } else {
          offset = parseInt(head.getResponseHeader("Upload-Offset"), 10) || 0;
          failures = 0;
        }
      }
      if (offset !== null) {
        var end = Math.min(file.size, offset + CHUNK);
        var from = offset;
        shown(from);
        var xhr = await send("PATCH", url, Object.assign({
          "Content-Type": "application/offset+octet-stream",
          "Upload-Offset": String(from),
        }, headers), file.slice(from, end), function (sent) { shown(from + sent); });
        if (xhr.status === 204) {
          offset = parseInt(xhr.getResponseHeader("Upload-Offset"), 10);
          failures = 0;
          if (offset >= file.size) return xhr.getResponseHeader("Upload-Sha256");
          continue;
        }
        if (!passing(xhr.status) && xhr.status !== 409) {
          throw new Refused(xhr);
        }
        // Dropped, or out of step with the server (409): ask it where it is.
        offset = null;
      }
      if (failures >= BACKOFF.length) return undefined;
      shown(null, BACKOFF[failures]);
      await sleep(BACKOFF[failures]);
      failures++;
    }
  }

  async function upload(block, input) {
    var chosen = input.files && input.files[0];
    if (!chosen) return;
    var status = block.querySelector(".upload-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "upload-status";
      status.setAttribute("aria-live", "polite");
      block.appendChild(status);
    }
    var hidden = block.querySelector("input[type=hidden][name^='upload.']");
    var bar = block.querySelector("progress");
    if (!bar) {
      bar = document.createElement("progress");
      bar.max = 100;
      bar.setAttribute("aria-label", say("progress"));
      status.parentNode.insertBefore(bar, status);
    }
    bar.hidden = false;
    bar.value = 0;
    block.setAttribute("aria-busy", "true");
    var tell = function (text) { status.textContent = text; };
    var file = await fit(chosen, parseInt(block.getAttribute("data-max-bytes"), 10), tell);
    var headers = { "Tus-Resumable": TUS, "X-CSRF-Token": csrfOf(block) };
    var percent = function (bytes) {
      return file.size ? Math.floor((bytes * 100) / file.size) : 100;
    };
    var lastPercent = -1;
    var shown = function (bytes, retryMs) {
      if (bytes === null) {
        tell(say("retrying", { percent: Math.max(0, lastPercent), seconds: Math.ceil(retryMs / 1000) }));
        return;
      }
      var p = percent(bytes);
      bar.value = p;
      if (p !== lastPercent) {
        lastPercent = p;
        tell(say("sending", { name: file.name, percent: p }));
      }
    };
    var key = [block.getAttribute("data-upload-url"), block.getAttribute("data-requirement"),
      file.name, file.size, file.lastModified].join("\n");
    try {
      var url = known[key];
      for (var tries = 0; !url && tries <= BACKOFF.length; tries++) {
        url = await create(block, file, headers);
        if (!url) {
          shown(null, BACKOFF[Math.min(tries, BACKOFF.length - 1)]);
          await sleep(BACKOFF[Math.min(tries, BACKOFF.length - 1)]);
        }
      }
      if (!url) {
        tell(say("gaveUp"));
        return;
      }
      known[key] = url;
      var sum = await transfer(url, file, headers, shown);
      if (sum === undefined) {
        tell(say("gaveUp"));
        return;
      }
      delete known[key];
      if (hidden && sum) hidden.value = sum;
      input.value = "";
      bar.value = 100;
      tell(say("done", { name: file.name, size: size(file.size) }));
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      delete known[key];
      bar.hidden = true;
      tell(say("failed", { name: file.name, message: e.message }));
    } finally {
      block.removeAttribute("aria-busy");
    }
  }

  // Delegated, so blocks added to the page later are enhanced too.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    var block = input.closest("[data-upload]");
    if (!block || !block.getAttribute("data-upload-url")) return;
    upload(block, input);
  });
})();
