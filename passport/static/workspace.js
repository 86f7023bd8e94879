/* Live interview workspace: autosave that never loses a word.
 *
 * Every change goes at once into a queue kept on this device (localStorage), then is sent to
 * the server about a second after typing stops. Each field carries the version it was loaded
 * or last saved at (its base); the server applies a change only on that version, so a change
 * someone else made meanwhile comes back as a conflict, shown with both texts to choose.
 * The indicator says saved / saving / offline with N changes waiting. Without a connection the
 * queue waits and is sent when the browser is back online; closing and reopening the page puts
 * the waiting changes back into the form and sends them. After the assessment was submitted the
 * server refuses changes: the text stays on the page to copy.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 1200;
  var RETRY_MS = 5000;

  var form = document.getElementById("workspace");
  if (!form) {
    return;
  }
  var statusEl = document.getElementById("ws-status");
  var key = form.dataset.storageKey;
  var url = form.dataset.saveUrl;
  var csrf = form.dataset.csrf;
  var closed = form.dataset.closed === "1";
  var pending = load();
  var inflight = false;
  var offline = !navigator.onLine;
  var timer = null;
  var retryTimer = null;

  function load() {
    try {
      var raw = window.localStorage.getItem(key);
      var data = raw ? JSON.parse(raw) : {};
      return data && typeof data === "object" ? data : {};
    } catch (e) {
      return {};
    }
  }

  function store() {
    try {
      if (Object.keys(pending).length) {
        window.localStorage.setItem(key, JSON.stringify(pending));
      } else {
        window.localStorage.removeItem(key);
      }
    } catch (e) {
      /* storage full or refused: the queue still lives in memory */
    }
  }

  function count() {
    return Object.keys(pending).length;
  }

  function text(name, n) {
    return (statusEl.dataset[name] || "").replace("{n}", String(n));
  }

  function show() {
    var n = count();
    var label;
    var state;
    if (closed && n) {
      label = text("closed");
      state = "closed";
    } else if (offline && n) {
      label = n === 1 ? text("offlineOne") : text("offlineMany", n);
      state = "offline";
    } else if (inflight) {
      label = text("saving");
      state = "saving";
    } else if (n) {
      label = n === 1 ? text("waitingOne") : text("waitingMany", n);
      state = "waiting";
    } else {
      label = text("saved");
      state = "saved";
    }
    statusEl.textContent = label;
    statusEl.dataset.state = state;
    statusEl.dataset.waiting = String(n);
  }

  function field(name) {
    return form.elements.namedItem(name);
  }

  function errorOf(el) {
    return el ? document.getElementById(el.id + "-error") : null;
  }

  function setError(el, message) {
    var box = errorOf(el);
    if (!box) {
      return;
    }
    box.textContent = message || "";
    box.hidden = !message;
    if (message) {
      el.setAttribute("aria-invalid", "true");
      el.closest(".field").classList.add("has-error");
    } else {
      el.removeAttribute("aria-invalid");
      el.closest(".field").classList.remove("has-error");
    }
  }

  function queue(el) {
    if (!el.name || closed) {
      return;
    }
    var entry = pending[el.name];
    var base = entry ? entry.base : parseInt(el.dataset.version || "0", 10);
    pending[el.name] = { value: el.value, base: base };
    store();
    setError(el, "");
    updateChecklist(el);
    show();
    clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, RETRY_MS);
  }

  function flush() {
    if (inflight || closed || !count()) {
      show();
      return;
    }
    if (!navigator.onLine) {
      offline = true;
      show();
      return;
    }
    var batch = {};
    var changes = Object.keys(pending).map(function (name) {
      batch[name] = pending[name].value;
      return { field: name, value: pending[name].value, base: pending[name].base };
    });
    inflight = true;
    show();
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ changes: changes })
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (result) {
      inflight = false;
      offline = false;
      handle(result.status, result.body || {}, batch);
    }).catch(function () {
      inflight = false;
      offline = true;
      show();
      scheduleRetry();
    });
  }

  function handle(status, body, batch) {
    if (body.closed) {
      closed = true;
      showClosed(body.error || "");
      show();
      return;
    }
    if (!body.saved) {
      /* Not an answer from the save endpoint (logged out, a proxy page, a server error):
         keep everything queued and try again a little later. A page open for hours has an
         expired CSRF token (400): fetch a fresh one first. */
      if (status === 400) {
        refreshToken();
      }
      show();
      scheduleRetry();
      return;
    }
    var saved = body.saved;
    Object.keys(saved).forEach(function (name) {
      var el = field(name);
      if (el) {
        el.dataset.version = String(saved[name]);
      }
      if (pending[name] && pending[name].value === batch[name]) {
        delete pending[name];
      } else if (pending[name]) {
        pending[name].base = saved[name]; /* typed on meanwhile: send the rest on top */
      }
    });
    (body.conflicts || []).forEach(function (c) {
      delete pending[c.field];
      var el = field(c.field);
      if (el) {
        el.dataset.version = String(c.version);
      }
      showConflict(c);
    });
    var errors = body.errors || {};
    Object.keys(errors).forEach(function (name) {
      delete pending[name]; /* the text stays in the field, with the message next to it */
      setError(field(name), errors[name]);
    });
    store();
    show();
    if (count() && status < 400) {
      clearTimeout(timer);
      timer = setTimeout(flush, 50);
    }
  }

  function refreshToken() {
    fetch(form.dataset.tokenUrl, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : {};
    }).then(function (body) {
      if (body.token) {
        csrf = body.token;
      }
    }).catch(function () { /* offline: the next retry asks again */ });
  }

  function showConflict(c) {
    var box = document.getElementById("ws-conflicts");
    var el = field(c.field);
    var item = document.createElement("div");
    item.className = "notice ws-conflict";
    item.dataset.field = c.field;
    var title = document.createElement("p");
    var label = el ? (form.querySelector('label[for="' + el.id + '"]') || {}).textContent : c.field;
    title.textContent = box.dataset.title.replace("{who}", c.by || "?") + " (" + (label || c.field) + ")";
    item.appendChild(title);
    [["theirs", c.theirs], ["yours", c.yours]].forEach(function (pair) {
      var caption = document.createElement("p");
      caption.className = "ws-conflict-caption";
      caption.textContent = box.dataset[pair[0]];
      var area = document.createElement("textarea");
      area.readOnly = true;
      area.rows = 3;
      area.value = pair[1];
      area.className = "ws-conflict-" + pair[0];
      item.appendChild(caption);
      item.appendChild(area);
    });
    var actions = document.createElement("div");
    actions.className = "actions";
    var theirs = document.createElement("button");
    theirs.type = "button";
    theirs.textContent = box.dataset.keepTheirs;
    theirs.addEventListener("click", function () {
      if (el) {
        el.value = c.theirs;
        updateChecklist(el);
      }
      item.remove();
    });
    var yours = document.createElement("button");
    yours.type = "button";
    yours.className = "primary";
    yours.textContent = box.dataset.keepYours;
    yours.addEventListener("click", function () {
      if (el) {
        el.value = c.yours;
        el.dataset.version = String(c.version);
        queue(el);
      }
      item.remove();
    });
    actions.appendChild(theirs);
    actions.appendChild(yours);
    item.appendChild(actions);
    box.appendChild(item);
    if (el) {
      el.value = c.yours; /* keep the saver's words on screen until they choose */
    }
  }

  function showClosed(message) {
    var box = document.getElementById("ws-closed");
    if (!box) {
      return;
    }
    if (message) {
      document.getElementById("ws-closed-message").textContent = message;
    }
    var lines = Object.keys(pending).map(function (name) {
      return pending[name].value;
    }).filter(function (v) {
      return v;
    });
    document.getElementById("ws-unsaved").value = lines.join("\n\n");
    box.hidden = !lines.length && !message;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.tagName === "SELECT") {
        el.disabled = true;
      } else {
        el.readOnly = true;
      }
    });
  }

  /* --- the checklist of open topics ----------------------------------------------------- */

  function updateChecklist(el) {
    var section = el.closest("[data-section]");
    if (!section) {
      return;
    }
    var filled = Array.prototype.some.call(
      section.querySelectorAll("input, select, textarea"),
      function (input) {
        return input.value && input.value.trim() !== "";
      }
    );
    var item = document.querySelector('#ws-checklist [data-topic="' + section.dataset.section + '"]');
    if (item) {
      item.classList.toggle("done", filled);
    }
    var done = document.getElementById("ws-all-done");
    if (done) {
      done.hidden = Boolean(document.querySelector("#ws-checklist li:not(.done)"));
    }
  }

  /* --- repeatable entries ---------------------------------------------------------------- */

  function addEntry(sectionName, index) {
    var template = form.querySelector('template[data-template="' + sectionName + '"]');
    var list = form.querySelector('[data-entries="' + sectionName + '"]');
    if (!template || !list) {
      return null;
    }
    var max = parseInt(template.dataset.max, 10);
    var used = Array.prototype.map.call(list.querySelectorAll("fieldset.entry"), function (f) {
      return parseInt(f.dataset.index, 10);
    });
    if (index === undefined) {
      index = used.length ? Math.max.apply(null, used) + 1 : 0;
    }
    if (index >= max || used.indexOf(index) !== -1) {
      return null;
    }
    var number = used.length + 1;
    var html = template.innerHTML.split("__i__").join(String(index))
      .replace("__n__", template.dataset.label.replace("%(number)d", String(number)));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var entry = holder.firstElementChild;
    Array.prototype.forEach.call(entry.querySelectorAll("[data-version]"), function (el) {
      el.dataset.version = "0";
      if (el.tagName === "SELECT") {
        el.value = "";
      } else {
        el.value = "";
      }
    });
    list.appendChild(entry);
    return entry;
  }

  function ensureField(name) {
    var el = field(name);
    if (el) {
      return el;
    }
    var match = /^([a-z_]+)\.(\d+)\.[a-z_]+$/.exec(name);
    if (match) {
      addEntry(match[1], parseInt(match[2], 10));
    }
    return field(name);
  }

  /* --- the timer ------------------------------------------------------------------------- */

  function setupTimer() {
    var clock = document.getElementById("ws-clock");
    var toggle = document.getElementById("ws-timer-toggle");
    var reset = document.getElementById("ws-timer-reset");
    var planned = parseInt(document.getElementById("ws-timer").dataset.planned, 10) * 60;
    var tkey = key + "-timer";
    var state = { started: null, before: 0 };
    try {
      state = JSON.parse(window.localStorage.getItem(tkey)) || state;
    } catch (e) { /* a fresh timer */ }

    function elapsed() {
      return state.before + (state.started ? (Date.now() - state.started) / 1000 : 0);
    }
    function render() {
      var s = Math.floor(elapsed());
      var m = Math.floor(s / 60);
      clock.textContent = (m < 10 ? "0" : "") + m + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
      clock.classList.toggle("over", s > planned);
      toggle.textContent = state.started ? toggle.dataset.pause : toggle.dataset.start;
    }
    function save() {
      try {
        window.localStorage.setItem(tkey, JSON.stringify(state));
      } catch (e) { /* ignore */ }
    }
    toggle.addEventListener("click", function () {
      if (state.started) {
        state.before = elapsed();
        state.started = null;
      } else {
        state.started = Date.now();
      }
      save();
      render();
    });
    reset.addEventListener("click", function () {
      state = { started: null, before: 0 };
      save();
      render();
    });
    setInterval(render, 1000);
    render();
  }

  /* --- wiring ---------------------------------------------------------------------------- */

  form.addEventListener("input", function (event) {
    queue(event.target);
  });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") {
      queue(event.target);
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-add]"), function (button) {
    button.addEventListener("click", function () {
      var entry = addEntry(button.dataset.add);
      if (entry) {
        var first = entry.querySelector("input, select, textarea");
        if (first) {
          first.focus();
        }
      }
    });
  });
  window.addEventListener("online", function () {
    offline = false;
    flush();
  });
  window.addEventListener("offline", function () {
    offline = true;
    show();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      flush();
    }
  });

  /* Resume: what was waiting on this device goes back into the form, then to the server. */
  Object.keys(pending).forEach(function (name) {
    var el = ensureField(name);
    if (el) {
      el.value = pending[name].value;
      updateChecklist(el);
    }
  });
  setupTimer();
  if (closed) {
    if (count()) {
      showClosed("");
    }
    show();
  } else {
    show();
    flush();
  }
  setInterval(function () {
    if (count() && !inflight) {
      flush();
    }
  }, RETRY_MS);
})();
