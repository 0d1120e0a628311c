// Dashboard filters: keep the period valid by disabling the end months that lie
// before the chosen start month (the server checks it too). The form is applied
// with its "Show" button only, so choosing with the keyboard never reloads the page.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.dashboard-filters")) {
    const start = form.querySelector("select[name=start]");
    const end = form.querySelector("select[name=end]");
    if (!start || !end) continue;
    const sync = () => {
      for (const option of end.options) {
        option.disabled = Boolean(option.value && start.value && option.value < start.value);
      }
      if (end.selectedOptions[0] && end.selectedOptions[0].disabled) end.value = "";
    };
    start.addEventListener("change", sync);
    sync();
  }
});
