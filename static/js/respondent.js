// Progressive enhancement for respondent pages; everything works without it.
(function () {
  "use strict";

  // Quick exit: leave at once and keep this site out of the back button.
  var exit = document.querySelector("[data-quick-exit]");
  if (exit) {
    exit.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.replace(exit.href);
    });
  }

  // Live character counters on text areas with a maximum length.
  var template = document.documentElement.lang === "en"
    ? "{n} of {max} characters used"
    : "{n} van {max} tekens gebruikt";
  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    var counter = document.getElementById(area.dataset.counter);
    var max = area.getAttribute("maxlength");
    var timer = null;
    function update() {
      counter.textContent = template.replace("{n}", area.value.length).replace("{max}", max);
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 300); // do not flood screen readers
    });
    update();
  });

  // Move focus to the error summary so that its links are read first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
