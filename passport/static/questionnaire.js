/* Candidate questionnaire: save as you go.
 *
 * Every change is copied at once to this device (localStorage), and sent to the server a few
 * seconds later (the same fields as the "Save draft" button, to the autosave endpoint). If the
 * phone is closed or the connection drops, the copy on the device is put back into the form the
 * next time the page opens, as long as the server has not received newer answers meanwhile.
 * Without JavaScript the form works with its buttons alone.
 *
 * Also: on the documents page, warn about a file that is too large before uploading it; on
 * "Leave your page", forget the copies kept on this device.
 */
(function () {
  "use strict";

  var SAVE_DELAY_MS = 4000;

  function storageAvailable() {
    try {
      var key = "__qp_test__";
      window.localStorage.setItem(key, key);
      window.localStorage.removeItem(key);
      return true;
    } catch (e) {
      return false;
    }
  }

  function fieldsOf(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") {
        pairs.push([name, value]);
      }
    });
    return pairs;
  }

  function restore(form, pairs) {
    var byName = {};
    pairs.forEach(function (pair) {
      (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "submit" || el.type === "file") {
        return;
      }
      var values = byName[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (values.length) {
        el.value = values[0];
      } else if (el.tagName !== "SELECT") {
        el.value = "";
      }
    });
  }

  function setupQuestionnaire(form) {
    var status = document.getElementById("save-status");
    var key = form.dataset.storageKey;
    var version = Number(form.dataset.version || "0");
    var useStorage = storageAvailable();
    var timer = null;
    var saving = false;
    var again = false;

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function keepLocally(pending) {
      if (!useStorage) {
        return;
      }
      try {
        window.localStorage.setItem(key, JSON.stringify({
          base: version, pending: pending, fields: fieldsOf(form)
        }));
      } catch (e) { /* storage full: the server copy still counts */ }
    }

    function save() {
      timer = null;
      if (saving) {
        again = true;
        return;
      }
      saving = true;
      say(form.dataset.msgSaving);
      fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        redirect: "follow"
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.redirected || type.indexOf("application/json") === -1) {
          say(form.dataset.msgSession);
          return null;
        }
        return response.json().then(function (body) {
          if (response.status === 503) {
            // The database is away for a moment (passport/views_errors.py): the answers stay
            // on this device and the save is tried again.
            say(form.dataset.msgOffline);
            if (!timer) {
              timer = setTimeout(save, (Number(body.retry_after) || 5) * 1000);
            }
            return;
          }
          if (body.saved) {
            version += 1;
            form.dataset.version = String(version);
            keepLocally(false);
          }
          say(body.message || "");
        });
      }).catch(function () {
        say(form.dataset.msgOffline);
      }).then(function () {
        saving = false;
        if (again) {
          again = false;
          schedule();
        }
      });
    }

    function schedule() {
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(save, SAVE_DELAY_MS);
    }

    function changed() {
      keepLocally(true);
      schedule();
    }

    // Put back answers typed on this device that never reached the server.
    if (useStorage) {
      try {
        var kept = JSON.parse(window.localStorage.getItem(key) || "null");
        if (kept && kept.pending && kept.base === version && Array.isArray(kept.fields)) {
          restore(form, kept.fields);
          say(form.dataset.msgRestored);
          schedule();
        } else if (kept && kept.base !== version) {
          window.localStorage.removeItem(key);
        }
      } catch (e) {
        window.localStorage.removeItem(key);
      }
    }

    // Suggest the device's time zone when none is chosen yet.
    var zone = form.querySelector("select[name='needs-timezone']");
    if (zone && !zone.value && window.Intl && Intl.DateTimeFormat) {
      var here = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (here && zone.querySelector("option[value='" + here.replace(/'/g, "") + "']")) {
        zone.value = here;
      }
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    // A button press sends the form the ordinary way: no autosave may race it.
    form.addEventListener("submit", function () {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      keepLocally(true);
    });
  }

  function setupFileLimits() {
    Array.prototype.forEach.call(
      document.querySelectorAll("input[type=file][data-max-bytes]"),
      function (input) {
        input.addEventListener("change", function () {
          var limit = Number(input.dataset.maxBytes);
          var file = input.files && input.files[0];
          input.setCustomValidity(
            file && file.size > limit ? (input.dataset.msgTooLarge || "Too large") : ""
          );
          input.reportValidity();
        });
      }
    );
  }

  function setupLeave() {
    var leave = document.querySelector("form[data-forget-drafts]");
    if (leave && storageAvailable()) {
      leave.addEventListener("submit", function () {
        Object.keys(window.localStorage).forEach(function (name) {
          if (name.indexOf("qp-questionnaire-") === 0) {
            window.localStorage.removeItem(name);
          }
        });
      });
    }
  }

  // After a refused submission, take keyboard and screen reader users to the list of problems.
  var problems = document.getElementById("problems");
  if (problems) {
    problems.focus();
  }

  var form = document.getElementById("questionnaire");
  if (form && window.fetch && window.FormData && window.URLSearchParams) {
    setupQuestionnaire(form);
  }
  setupFileLimits();
  setupLeave();
})();
