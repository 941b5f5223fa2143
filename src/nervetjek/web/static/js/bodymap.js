/* Body map: makes the leg drawings act like the checkboxes under them.
   Without this file the checkboxes (an open list) still work; the drawing then only
   shows the map.  With it, the list folds away behind "Brug en liste i stedet", the
   tap hint appears, and the chosen places show as chips under the drawing.
   Each region becomes a focusable checkbox (role="checkbox"): click, Space or Enter
   toggles it, and the real checkbox is kept in step both ways. */
(function () {
  "use strict";

  function setUp(map) {
    var boxes = {};
    map.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
      boxes[box.value] = box;
    });
    var regions = map.querySelectorAll(".bm-region[data-region]");
    var chips = map.querySelector("[data-chips]");
    var list = map.querySelector("details[data-list]");

    map.querySelectorAll("[data-js-only]").forEach(function (hint) { hint.hidden = false; });
    // Keep the list open when it holds an error to fix; otherwise the drawing leads.
    if (list && !map.querySelector(".error-message")) { list.open = false; }

    function showChips() {
      if (!chips) { return; }
      chips.textContent = "";
      var any = false;
      // In list order, as the server shows them.
      map.querySelectorAll('input[type="checkbox"]:checked').forEach(function (box) {
        var chip = document.createElement("li");
        chip.className = "chip";
        chip.textContent = box.labels[0] ? box.labels[0].textContent : box.value;
        chips.appendChild(chip);
        any = true;
      });
      if (!any) {
        var none = document.createElement("li");
        none.className = "chip chip--none";
        none.textContent = chips.getAttribute("data-none");
        chips.appendChild(none);
      }
    }

    function show(region) {
      var box = boxes[region.getAttribute("data-region")];
      var on = Boolean(box && box.checked);
      region.setAttribute("aria-checked", on ? "true" : "false");
      region.classList.toggle("is-on", on);
    }

    function toggle(region) {
      var box = boxes[region.getAttribute("data-region")];
      if (!box) { return; }
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }

    map.querySelectorAll("svg[data-drawing]").forEach(function (svg) {
      svg.removeAttribute("aria-hidden");
      svg.setAttribute("role", "group");
      svg.setAttribute("aria-label", svg.getAttribute("data-group-label"));
    });

    regions.forEach(function (region) {
      region.setAttribute("role", "checkbox");
      region.setAttribute("tabindex", "0");
      region.setAttribute("aria-label", region.getAttribute("data-label"));
      show(region);
      region.addEventListener("click", function () { toggle(region); });
      region.addEventListener("keydown", function (event) {
        if (event.key === " " || event.key === "Enter") {
          event.preventDefault();
          toggle(region);
        }
      });
    });

    map.addEventListener("change", function (event) {
      var target = event.target;
      if (!target || target.type !== "checkbox") { return; }
      regions.forEach(function (region) {
        if (region.getAttribute("data-region") === target.value) { show(region); }
      });
      showChips();
    });
  }

  document.querySelectorAll("[data-bodymap]").forEach(setUp);
})();
