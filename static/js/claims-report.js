// The report form's victims, added in place: a click on [data-formset-add] clones the formset's
// hidden empty row (crispy's `tr.empty-form`), numbers it and counts it in TOTAL_FORMS, up to
// the button's data-max. No inline handlers: the Content-Security-Policy refuses them.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-formset-add]");
    if (!button) return;
    event.preventDefault();
    var prefix = button.getAttribute("data-formset-add");
    var scope = document.getElementById(button.getAttribute("data-formset-scope"));
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = scope && scope.querySelector("tr.empty-form");
    if (!total || !template) return;
    var index = parseInt(total.value, 10);
    var max = parseInt(button.getAttribute("data-max"), 10);
    if (index >= max) return;
    var row = template.cloneNode(true);
    row.classList.remove("d-none", "empty-form");
    row.innerHTML = row.innerHTML.replace(/__prefix__/g, String(index));
    template.parentNode.appendChild(row);
    total.value = String(index + 1);
    if (index + 1 >= max) button.disabled = true;
    var first = row.querySelector("select, input");
    if (first) first.focus();
  });
})();
