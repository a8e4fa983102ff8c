// Recovery codes page: print them, or copy them all (one per line). No inline script: CSP.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-recovery-action]");
    if (!button) return;
    if (button.dataset.recoveryAction === "print") {
      window.print();
      return;
    }
    var codes = Array.prototype.map.call(document.querySelectorAll("#recovery-codes li"), function (li) {
      return li.textContent.trim();
    });
    if (navigator.clipboard) {
      navigator.clipboard.writeText(codes.join("\n")).then(function () {
        button.textContent = button.dataset.copiedText;
      });
    }
  });
})();
