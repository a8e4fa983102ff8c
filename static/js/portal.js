// Behaviour the templates ask for by data attributes — no inline event handlers, which the
// Content-Security-Policy refuses (jqx_portal/settings.py, "Content-Security-Policy").
//   <form data-disable-on-submit>   its submit button is disabled once sent (no double posts)
//   <select data-submit-on-change>  submits its form when changed
//   <button data-print>             prints the page
//   <input data-select-on-click>    selects its text when clicked
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-disable-on-submit]")) return;
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-submit-on-change]") && field.form) field.form.submit();
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    if (target.closest("[data-print]")) {
      window.print();
      return;
    }
    var select = target.closest("input[data-select-on-click]");
    if (select) select.select();
  });
})();
