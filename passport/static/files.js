/* File fields in the page's language: the browser labels its own file control ("Choose File",
 * "No file chosen") in the browser's language, which is often not the one the reader chose.
 * The real input stays in place (focusable, named by its label, opened by Enter or Space);
 * only its look is replaced by our button and the chosen file's name. */
(function () {
  "use strict";
  document.querySelectorAll(".file-pick").forEach(function (pick) {
    var input = pick.querySelector("input[type=file]");
    var button = pick.querySelector(".file-button");
    var name = pick.querySelector(".file-name");
    // A page with two file fields loads this twice.
    if (!input || !button || !name || pick.classList.contains("enhanced")) {
      return;
    }
    function show() {
      var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      name.textContent = files.length ? files.join(", ") : pick.getAttribute("data-none");
    }
    pick.classList.add("enhanced");
    button.hidden = false;
    name.hidden = false;
    input.addEventListener("change", show);
    show();
  });
})();
