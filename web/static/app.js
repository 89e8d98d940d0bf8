// The dashboard's only script (no library, nothing from a CDN).
// 1. Telegram's theme: window.Telegram.WebApp.themeParams when the page runs with
//    Telegram's own script, else the tgWebAppThemeParams Telegram puts in the URL's
//    hash; kept for the session so every page keeps it. Set as CSS variables.
// 2. Sign-in (the page with #signin): the initData Telegram just gave
//    (Telegram.WebApp.initData or the hash's tgWebAppData) is posted to /auth, which
//    checks it, sets the cookie and answers with Today's address carrying a token, so
//    the pages work where the WebView blocks the cookie. Without it, a session the
//    server knows (data-next) goes on to Today; else the initData kept for the
//    browser session is tried.
(function () {
  "use strict";
  var webApp = (window.Telegram && window.Telegram.WebApp) || null;
  var hash = new URLSearchParams((window.location.hash || "").replace(/^#/, ""));

  function readTheme() {
    if (webApp && webApp.themeParams && Object.keys(webApp.themeParams).length) {
      return webApp.themeParams;
    }
    var raw = hash.get("tgWebAppThemeParams");
    if (raw) {
      try { return JSON.parse(raw); } catch (e) { /* ignore a malformed theme */ }
    }
    try {
      var kept = window.sessionStorage.getItem("tgTheme");
      return kept ? JSON.parse(kept) : null;
    } catch (e) { return null; }
  }

  function applyTheme(theme) {
    if (!theme) { return; }
    var root = document.documentElement.style;
    Object.keys(theme).forEach(function (key) {
      var value = String(theme[key]);
      if (/^#[0-9a-fA-F]{3,8}$/.test(value) && /^[a-z_]+$/.test(key)) {
        root.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
      }
    });
    try { window.sessionStorage.setItem("tgTheme", JSON.stringify(theme)); } catch (e) { /* private mode */ }
  }

  // initData is kept for the session: when the page's token runs out (web/session.py)
  // the sign-in page signs in again with it, without the cookie.
  function kept(name) {
    try { return window.sessionStorage.getItem(name) || ""; } catch (e) { return ""; }
  }

  function keep(name, value) {
    try { if (value) { window.sessionStorage.setItem(name, value); } } catch (e) { /* private mode */ }
  }

  function show(id) {
    var el = document.getElementById(id);
    if (el) { el.hidden = false; }
  }

  function signIn() {
    var status = document.getElementById("signin");
    if (!status) { return; }
    var fresh = (webApp && webApp.initData) || hash.get("tgWebAppData") || "";
    var signedIn = status.getAttribute("data-next");
    if (!fresh && signedIn) {  // no new initData: the session the server knows goes on
      window.location.replace(signedIn);
      return;
    }
    var initData = fresh || kept("tgInitData");
    keep("tgInitData", initData);
    if (!initData) {
      status.hidden = true;
      status.setAttribute("data-state", "outside");
      show("outside");
      return;
    }
    fetch("/auth", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ init_data: initData })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (answer.ok && answer.body.next) {
        status.setAttribute("data-state", "signed-in");
        window.location.replace(answer.body.next);
      } else {
        status.hidden = true;
        status.setAttribute("data-state", "refused");
        show("refused");
      }
    }).catch(function () {
      status.hidden = true;
      status.setAttribute("data-state", "refused");
      show("refused");
    });
  }

  function start() {
    applyTheme(readTheme());
    if (webApp && typeof webApp.ready === "function") { webApp.ready(); }
    signIn();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
