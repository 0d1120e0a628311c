/* Keyboard coding in the review workspace.
 *
 * 1-9 toggle the codes, M and Z choose with / without dilemma, Enter saves and
 * goes to the next case, O skips to the next case, ? shows or hides the help.
 * Keys are ignored while typing in a text field. Without JavaScript the same keys
 * work as access keys, and Enter submits with the first ("save and next") button.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-coding-form]");
  if (!form) {
    return;
  }
  var announcer = form.querySelector("[data-announce]");
  var saveNext = form.querySelector("[data-save-next]");

  function isTyping(element) {
    if (!element) {
      return false;
    }
    if (element.isContentEditable || element.tagName === "TEXTAREA" || element.tagName === "SELECT") {
      return true;
    }
    return element.tagName === "INPUT" && !/^(checkbox|radio|submit|button|reset)$/.test(element.type);
  }

  function labelText(input) {
    var label = form.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent.replace(/\s+/g, " ").trim() : input.value;
  }

  function announce(text) {
    if (announcer) {
      announcer.textContent = text;
    }
  }

  function toggle(key) {
    var input = form.querySelector('[data-hotkey="' + key + '"]');
    if (!input) {
      return false;
    }
    if (input.type === "checkbox") {
      input.checked = !input.checked;
      var state = announcer ? announcer.dataset[input.checked ? "on" : "off"] : "";
      announce(labelText(input) + ": " + state);
    } else {
      input.checked = true;
      announce(labelText(input));
    }
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (isTyping(event.target)) {
      return;
    }
    var key = event.key.toLowerCase();
    if (/^[1-9mz]$/.test(key)) {
      if (toggle(key)) {
        event.preventDefault();
      }
    } else if (key === "enter") {
      var tag = event.target.tagName;
      if (tag === "A" || tag === "BUTTON" || tag === "SUMMARY") {
        return;
      }
      event.preventDefault();
      if (form.requestSubmit) {
        form.requestSubmit(saveNext);
      } else {
        saveNext.click();
      }
    } else if (key === "o") {
      var skip = document.getElementById("skip-link");
      if (skip) {
        event.preventDefault();
        window.location.href = skip.href;
      }
    } else if (key === "?") {
      var help = document.querySelector(".keyboard-help");
      if (help) {
        event.preventDefault();
        help.open = !help.open;
      }
    }
  });
})();
