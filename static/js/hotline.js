// Hotline desk keys. "/" (outside a text field) goes to the search box — on a page without
// one, to a new search.
(function () {
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (event.key !== "/" || typing || event.ctrlKey || event.metaKey || event.altKey) return;
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
  });
})();
