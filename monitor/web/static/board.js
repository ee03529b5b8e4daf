// Live incidents board: re-fetch the rows every 2 s (short polling), keep the page's countdown ticking
// (base.html re-reads [data-deadline] every second), and announce new P1 incidents with a sound and a
// browser notification once the user has opted in (the opt-in is remembered in localStorage).
(function () {
  "use strict";
  var POLL_MS = 2000;
  var OPT_IN_KEY = "brandguard.notifyP1";
  var body = document.getElementById("board-rows");
  if (!body) { return; }
  var status = document.getElementById("board-status");
  var count = document.getElementById("board-count");
  var toggle = document.getElementById("notify-toggle");

  function p1Ids(root) {
    var ids = {};
    root.querySelectorAll('tr[data-severity="P1"]').forEach(function (row) {
      ids[row.getAttribute("data-incident")] = row;
    });
    return ids;
  }

  var knownP1 = p1Ids(body);

  // Same format as base.html's ticking countdown: fresh rows show the browser's clock at once, not the
  // server's render time (they would jump back and forth by the clock skew otherwise).
  function fmt(ms) {
    var neg = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var t = h + ":" + (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
    return neg ? "已超时 " + t : t;
  }

  function tick(root) {
    var now = Date.now();
    root.querySelectorAll("[data-deadline]").forEach(function (el) {
      var ms = Date.parse(el.getAttribute("data-deadline")) - now;
      el.textContent = fmt(ms);
      el.classList.toggle("overdue", ms < 0);
    });
  }

  function optedIn() {
    return window.localStorage && localStorage.getItem(OPT_IN_KEY) === "1";
  }

  function beep() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return; }
    try {
      var ctx = new Ctx(), osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.2;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.4);
    } catch (e) { /* no audio device: the notification still shows */ }
  }

  function announce(row) {
    document.body.setAttribute("data-last-p1", row.getAttribute("data-incident"));
    if (!optedIn()) { return; }
    beep();
    if ("Notification" in window && Notification.permission === "granted") {
      var link = row.querySelector("a[href^='/incidents/']");
      var n = new Notification("新 P1 舆情事件", { body: link ? link.textContent : "", tag: "bg-" + row.getAttribute("data-incident") });
      n.onclick = function () { window.focus(); if (link) { window.location = link.href; } };
    }
  }

  function refresh() {
    fetch("/board/rows", { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.redirected || response.status === 401) { window.location.reload(); return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var holder = document.createElement("table");
        holder.innerHTML = html;
        var fresh = holder.querySelector("tbody");
        if (!fresh) { return; }
        // Keep an open form (a half-typed response) rather than replacing it under the user's fingers.
        if (body.contains(document.activeElement) && document.activeElement.tagName === "INPUT") { return; }
        var now = p1Ids(fresh);
        Object.keys(now).forEach(function (id) { if (!knownP1[id]) { announce(now[id]); } });
        knownP1 = now;
        tick(fresh);
        body.replaceWith(fresh);
        body = fresh;
        if (count) { count.textContent = fresh.getAttribute("data-count"); }
        if (status) { status.textContent = ""; }
      })
      .catch(function () { if (status) { status.textContent = "（连接中断，重试中）"; } });
  }

  if (toggle && "Notification" in window) {
    toggle.hidden = false;
    var label = function () { toggle.textContent = optedIn() ? "关闭新 P1 提醒" : "开启新 P1 声音和桌面提醒"; };
    label();
    toggle.addEventListener("click", function () {
      if (optedIn()) { localStorage.setItem(OPT_IN_KEY, "0"); label(); return; }
      Notification.requestPermission().then(function () { localStorage.setItem(OPT_IN_KEY, "1"); label(); beep(); });
    });
  }
  setInterval(refresh, POLL_MS);
})();
