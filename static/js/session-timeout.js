// Idle-session warning for staff pages. The server ends a session after SESSION_IDLE_SECONDS
// without activity (and SESSION_ABSOLUTE_SECONDS after sign-in, whatever happens); each page
// says how long its session has left (<body data-session-expires-in>, and the
// X-Session-Expires-In header of every htmx response). A minute before the end a notice counts
// down and offers 继续使用, which POSTs to the keep-alive endpoint. Requests htmx sends on its
// own (polling) are marked passive so that an unattended screen does not stay signed in.
// No inline script: the Content-Security-Policy forbids it.
(function () {
  "use strict";
  var body = document.body;
  var initial = parseInt(body.dataset.sessionExpiresIn || "", 10);
  if (isNaN(initial)) return;

  var warnSeconds = parseInt(body.dataset.sessionWarnSeconds || "60", 10);
  var keepAliveUrl = body.dataset.keepAliveUrl;
  var loginUrl = body.dataset.loginUrl;
  var absolute = body.dataset.sessionAbsolute === "true";
  var deadline = 0;
  var timer = null;
  var notice = null;

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function update(seconds, isAbsolute) {
    deadline = Date.now() + seconds * 1000;
    if (typeof isAbsolute === "boolean") absolute = isAbsolute;
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    var left = secondsLeft();
    if (left > warnSeconds) {
      hide();
      timer = setTimeout(ask, (left - warnSeconds) * 1000);
    } else {
      show();
      timer = setTimeout(tick, 1000);
    }
  }

  function tick() {
    if (secondsLeft() <= 0) {
      ask();
      return;
    }
    render();
    timer = setTimeout(tick, 1000);
  }

  function goToLogin() {
    window.location.href = loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  }

  // Ask the server (another tab may have kept the session going) — GET does not count as activity.
  function ask() {
    ping("GET");
  }

  function ping(method) {
    var headers = { "X-CSRFToken": csrfToken() };
    if (method === "GET") headers["X-Session-Passive"] = "1";
    fetch(keepAliveUrl, { method: method, headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401 || response.redirected) throw new Error("expired");
        return response.json();
      })
      .then(function (data) {
        if (typeof data.expires_in !== "number" || data.expires_in <= 0) throw new Error("expired");
        update(data.expires_in, data.absolute);
      })
      .catch(goToLogin);
  }

  function show() {
    if (!notice) {
      notice = document.createElement("div");
      notice.className = "alert alert-warning shadow position-fixed bottom-0 end-0 m-3 mb-4 d-print-none";
      notice.style.zIndex = "2000";
      notice.style.maxWidth = "26rem";
      notice.setAttribute("role", "alertdialog");
      notice.setAttribute("aria-live", "assertive");
      notice.dataset.testid = "session-timeout-warning";
      var text = document.createElement("p");
      text.className = "mb-2";
      notice.appendChild(text);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-primary";
      button.textContent = "继续使用";
      button.addEventListener("click", function () {
        ping("POST");
      });
      notice.appendChild(button);
      document.body.appendChild(notice);
    }
    render();
  }

  function render() {
    if (!notice) return;
    var left = secondsLeft();
    notice.querySelector("p").textContent = absolute
      ? "本次登录已接近 12 小时上限，将在 " + left + " 秒后自动退出。请保存当前工作后重新登录。"
      : "您已较长时间未操作，为保护客户信息，系统将在 " + left + " 秒后自动退出。";
    notice.querySelector("button").hidden = absolute;
  }

  function hide() {
    if (notice) {
      notice.remove();
      notice = null;
    }
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.triggeringEvent) event.detail.headers["X-Session-Passive"] = "1";
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var value = xhr && parseInt(xhr.getResponseHeader("X-Session-Expires-In") || "", 10);
    if (value > 0) update(value);
  });

  update(initial, absolute);
})();
