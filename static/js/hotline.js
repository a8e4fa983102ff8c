// Hotline desk keys. "/" (outside a text field) goes to the search box — on a page without
// one, to a new search. On a renewal call, 1–6 pick the outcome.
(function () {
  // A search is answered in the response to its POST: the address becomes the results' URL
  // (a key, never the term), so reload, back and bookmarks read the results again by GET.
  var answered = document.querySelector("[data-results-url]");
  if (answered) window.history.replaceState(null, "", answered.dataset.resultsUrl);

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) && target.type !== "radio";
  }

  document.addEventListener("keydown", function (event) {
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "/") {
      var box = document.querySelector("[data-testid=search-box]");
      var newSearch = document.querySelector("[data-testid=new-search]");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      } else if (newSearch) {
        event.preventDefault();
        window.location.href = newSearch.href;
      }
      return;
    }
    var choice = document.querySelector('input[name=outcome][data-key="' + event.key + '"]');
    if (choice) {
      event.preventDefault();
      choice.checked = true;
      choice.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // The call list: Enter starts the first call.
  var firstCall = document.querySelector("[data-testid=calls] [data-testid=work-call]");
  if (firstCall) firstCall.focus();

  // The outcome form: say what the chosen outcome changes; a call-back asks for its time.
  var form = document.querySelector("[data-testid=outcome-form]");
  if (!form) return;
  var effects = JSON.parse(document.getElementById("outcome-effects").textContent);
  var effect = form.querySelector("[data-testid=outcome-effect]");
  var when = form.querySelector("input[name=call_back_at]");
  form.addEventListener("change", function (event) {
    if (event.target.name !== "outcome") return;
    effect.textContent = effects[event.target.value] || "";
    if (event.target.value === "call_back") when.focus();
  });
  // The field is Beijing time (the server reads it so), whatever the agent's computer is set to.
  var beijingParts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });
  function beijing(d) {
    var p = {};
    beijingParts.formatToParts(d).forEach(function (part) { p[part.type] = part.value; });
    return { date: p.year + "-" + p.month + "-" + p.day, time: p.hour + ":" + p.minute };
  }
  function tomorrow(d) {  // the Beijing date after d's
    var today = beijing(d).date.split("-").map(Number);
    return new Date(Date.UTC(today[0], today[1] - 1, today[2] + 1)).toISOString().slice(0, 10);
  }
  form.querySelectorAll("[data-call-back]").forEach(function (button) {
    button.addEventListener("click", function () {
      var preset = button.dataset.callBack, now = new Date();
      if (preset === "60") {
        var later = beijing(new Date(now.getTime() + 60 * 60 * 1000));
        when.value = later.date + "T" + later.time;
      } else {
        when.value = tomorrow(now) + "T" + (preset === "tomorrow-10" ? "10:00" : "15:00");
      }
      var callBack = form.querySelector("input[name=outcome][value=call_back]");
      callBack.checked = true;
      callBack.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
})();
