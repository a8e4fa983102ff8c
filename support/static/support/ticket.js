// One click puts a knowledge-base answer into the reply box, at the cursor.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-kb-insert]");
  if (!button) return;
  const box = document.getElementById("id_body");
  if (!box) return;
  const tab = document.querySelector('[data-bs-target="#tab-reply"]');
  if (tab && window.bootstrap) window.bootstrap.Tab.getOrCreateInstance(tab).show();
  const text = button.dataset.body;
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  const before = box.value.slice(0, start);
  const gap = before && !before.endsWith("\n") ? "\n" : "";
  box.value = before + gap + text + box.value.slice(end);
  const caret = (before + gap + text).length;
  box.focus();
  box.setSelectionRange(caret, caret);
  button.textContent = "已插入";
  setTimeout(() => { button.textContent = "插入回复"; }, 1500);
});
