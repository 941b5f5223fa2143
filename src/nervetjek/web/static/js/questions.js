/* Follow-up questions appear and disappear while the person answers.
   The server decides which questions a page asks (POST .../vis returns them for the
   answers on screen, and saves nothing), so this file knows no clinical rules.
   Without JavaScript the server shows new follow-up questions after "Fortsæt". */
(function () {
  "use strict";

  var form = document.querySelector("form[data-questions]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var shownField = form.querySelector('input[name="shown"]');
  var questions = form.querySelectorAll(".question[data-key]");
  var timer = null;
  var latest = 0;

  function apply(asked) {
    var visible = [];
    questions.forEach(function (question) {
      var key = question.getAttribute("data-key");
      var show = asked.indexOf(key) !== -1;
      question.hidden = !show;
      if (show) { visible.push(key); }
    });
    // Only what the person could see is read on submit.
    shownField.value = visible.join(",");
  }

  function refresh() {
    var request = ++latest;
    fetch(form.getAttribute("action") + "/vis", {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && data.asked && request === latest) { apply(data.asked); }
    }).catch(function () { /* keep the page as it is; the server checks on submit */ });
  }

  function later(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, delay);
  }

  form.addEventListener("change", function () { later(0); });
  form.addEventListener("input", function (event) {
    if (event.target && event.target.type === "text") { later(400); }
  });
})();
