// "Copy IRI" on resource pages. Without JavaScript the button stays hidden and the IRI sits in a
// read-only field that can be selected and copied by hand; with it, the button appears and puts
// the IRI on the clipboard, saying so in the status line next to it (read by screen readers).
(function () {
  "use strict";
  function copyWith(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    // Plain http on another host than localhost has no Clipboard API: the older command.
    return new Promise(function (resolve, reject) {
      field.focus();
      field.select();
      if (document.execCommand && document.execCommand("copy")) { resolve(); } else { reject(); }
    });
  }
  function setUp(button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      copyWith(field).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied"); }
      }, function () {
        field.select();
        if (status) { status.textContent = button.getAttribute("data-failed"); }
      });
    });
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy-from]"), setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
