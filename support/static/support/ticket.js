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
  box.dispatchEvent(new Event("input"));
  const caret = (before + gap + text).length;
  box.focus();
  box.setSelectionRange(caret, caret);
  button.textContent = "已插入";
  setTimeout(() => { button.textContent = "插入回复"; }, 1500);
});

// SMS size as the agent types: the reply goes out inside fixed words (greeting, ticket number,
// closing), so those count too. Chinese text: 70 characters in one SMS, 67 per part when split;
// pure ASCII: 160 / 153 (support.notifications.sms_size). Over one SMS, a short form is offered.
(() => {
  const meter = document.querySelector("[data-sms-meter]");
  const box = document.getElementById("id_body");
  if (!meter || !box) return;
  const before = meter.dataset.before;
  const after = meter.dataset.after;
  const tail = `详情请致电${meter.dataset.hotline}。`;
  const label = meter.querySelector("[data-sms-count]");
  const shortButton = meter.querySelector("[data-sms-short]");
  const size = (body) => {
    const text = before + body + after;
    const chars = [...text].length;
    const gsm = /^[\x20-\x7E\r\n]*$/.test(text);
    const single = gsm ? 160 : 70;
    const part = gsm ? 153 : 67;
    return { chars, segments: chars <= single ? 1 : Math.ceil(chars / part), single, part };
  };
  const fixed = [...(before + after)].length;
  const shortForm = (body) => {
    const sentences = body.replace(/\s+/g, " ").trim().match(/[^。！？；!?;]+[。！？；!?;]?/g) || [];
    let kept = "";
    for (const sentence of sentences) {
      if (size(kept + sentence + tail).segments > 1) break;
      kept += sentence;
    }
    if (!kept) {  // not even the first sentence fits: cut it
      const room = size("").single - fixed - [...tail].length - 1;
      kept = [...sentences.join("")].slice(0, Math.max(room, 0)).join("") + "…";
    }
    return kept + tail;
  };
  const update = () => {
    const s = size(box.value);
    const over = s.segments > 1;
    label.textContent = `短信 ${s.chars} 字（含固定用语 ${fixed} 字）· 共 ${s.segments} 条` +
      (over ? `（超过 ${s.single} 字按每条 ${s.part} 字拆分计费）` : "");
    label.classList.toggle("text-danger", over);
    label.classList.toggle("text-secondary", !over);
    label.dataset.segments = s.segments;
    shortButton.classList.toggle("d-none", !over);
  };
  shortButton.addEventListener("click", () => {
    box.value = shortForm(box.value);
    box.dispatchEvent(new Event("input"));
    box.focus();
  });
  box.addEventListener("input", update);
  update();
})();
