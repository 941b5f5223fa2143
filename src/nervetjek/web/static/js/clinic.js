// Clinic portal: a copy button for the journal text.  Without JavaScript the text is
// still there to select and copy by hand; the button only appears when it can work.
(function () {
  "use strict";
  var button = document.getElementById("copy-journal");
  var text = document.getElementById("journal-text");
  var status = document.getElementById("copy-status");
  if (!button || !text) return;
  function copied() {
    status.textContent = button.getAttribute("data-copied");
  }
  function fallback() {
    text.focus();
    text.select();
    if (document.execCommand && document.execCommand("copy")) copied();
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.value).then(copied, fallback);
    } else {
      fallback();
    }
  });
})();
