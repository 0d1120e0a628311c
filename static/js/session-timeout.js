/* Warn a signed-in user before the idle timeout logs them out, and let them stay.
 *
 * The server decides: IdleTimeoutMiddleware logs out after the timeout whether or
 * not this script runs. Here we only ask how long is left (which does not count
 * as activity), show a warning in time, extend on request, and go to the login
 * page once the session has ended. Other tabs may extend the session too, so the
 * server is asked again before warning or leaving.
 */
(function () {
  "use strict";

  var box = document.getElementById("session-timeout");
  if (!box || !window.fetch) {
    return;
  }
  var warning = parseInt(box.dataset.warning, 10) || 120;
  var countdown = box.querySelector("[data-countdown]");
  var extendButton = box.querySelector("[data-extend]");
  var timer = null;
  var ticker = null;
  var deadline = 0;

  function format(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function leave() {
    var next = window.location.pathname + window.location.search;
    window.location.assign(box.dataset.loginUrl + "?next=" + encodeURIComponent(next));
  }

  function hide() {
    box.hidden = true;
    window.clearInterval(ticker);
    ticker = null;
  }

  function show() {
    if (!box.hidden) {
      return;
    }
    box.hidden = false;
    extendButton.focus();
    ticker = window.setInterval(tick, 1000);
    tick();
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = format(left);
    if (left === 0) {
      window.clearInterval(ticker);
      check();
    }
  }

  function plan(state) {
    if (!state.authenticated || state.remaining <= 0) {
      leave();
      return;
    }
    deadline = Date.now() + state.remaining * 1000;
    window.clearTimeout(timer);
    if (state.remaining <= warning) {
      show();
      timer = window.setTimeout(check, state.remaining * 1000 + 1000);
    } else {
      hide();
      timer = window.setTimeout(check, (state.remaining - warning) * 1000);
    }
  }

  function ask(url, options) {
    return window
      .fetch(url, options)
      .then(function (response) {
        return response.json();
      })
      .then(plan)
      .catch(function () {
        /* Offline for a moment: try again shortly; the server still decides. */
        window.clearTimeout(timer);
        timer = window.setTimeout(check, 15000);
      });
  }

  function check() {
    ask(box.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" });
  }

  function extend() {
    ask(box.dataset.extendUrl, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-CSRFToken": box.dataset.csrfToken },
    });
  }

  extendButton.addEventListener("click", extend);
  plan({
    authenticated: true,
    remaining: parseInt(box.dataset.timeout, 10) || 900,
  });
})();
