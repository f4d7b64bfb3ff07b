// The story form keeps what is typed (autosave), says who else has the story open (heartbeat)
// and offers back an autosaved copy. The server checks permissions on every request.
(function () {
  "use strict";
  const AUTOSAVE_EVERY_MS = 10000;
  const HEARTBEAT_EVERY_MS = 30000;
  const FIELDS = ["headline", "slug", "dek", "summary", "body", "tags"];

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function collect(form) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken(form));
    FIELDS.forEach(function (name) {
      const field = form.elements[name];
      if (field) data.append(name, field.value);
    });
    return data;
  }

  // Minutes a zone is ahead of UTC at a moment (Intl has no direct way to ask).
  function zoneOffsetMinutes(date, zone) {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit"
    }).formatToParts(date);
    const get = function (type) { return Number(parts.find(function (p) { return p.type === type; }).value); };
    const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
    return (asUtc - date.getTime()) / 60000;
  }

  // A datetime-local value read as a wall-clock time in the newsroom's zone.
  function newsroomMoment(value, zone) {
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
    if (!match) return null;
    const wall = Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +(match[6] || 0));
    return new Date(wall - zoneOffsetMinutes(new Date(wall), zone) * 60000);
  }

  // Beside the publication times: the same moment in the browser's own zone, when it differs.
  function showBrowserZone(note) {
    const newsroomZone = note.dataset.newsroomZone;
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const out = note.querySelector("[data-browser-zone]");
    if (!out || browserZone === newsroomZone) return;
    const form = note.closest("form");
    const lang = document.documentElement.lang || undefined;
    function update() {
      const lines = [];
      form.querySelectorAll("[data-newsroom-time]").forEach(function (input) {
        const moment = input.value ? newsroomMoment(input.value, newsroomZone) : null;
        if (moment) {
          lines.push(moment.toLocaleString(lang, { timeZone: browserZone, dateStyle: "medium", timeStyle: "short" }));
        }
      });
      out.textContent = note.dataset.browserLabel + " (" + browserZone + ")" + (lines.length ? ": " + lines.join(" · ") : "");
    }
    form.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-newsroom-zone]").forEach(showBrowserZone);
    const form = document.getElementById("article_form");
    const config = document.querySelector("[data-autosave-url]");
    if (!form || !config) return;
    const autosaveUrl = config.dataset.autosaveUrl;
    const heartbeatUrl = config.dataset.heartbeatUrl;
    let lastSent = "";

    function snapshot() {
      return FIELDS.map(function (name) {
        return form.elements[name] ? form.elements[name].value : "";
      }).join("\u0000");
    }
    // What the page opened with is already saved; only typing is worth keeping.
    lastSent = snapshot();

    function autosave(useBeacon) {
      const current = snapshot();
      if (current === lastSent) return;
      lastSent = current;
      const data = collect(form);
      if (useBeacon && navigator.sendBeacon) {
        navigator.sendBeacon(autosaveUrl, data);
      } else {
        // The story editor shows these states (saving, saved at HH:MM, offline).
        announce({ state: "saving" });
        fetch(autosaveUrl, { method: "POST", body: data, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
          .then(function (answer) { announce({ state: "saved", savedAt: answer.saved_at }); })
          .catch(function (error) {
            const refused = error instanceof Response;
            if (!refused) lastSent = ""; // offline: try again at the next tick
            announce({ state: refused ? "failed" : "offline" });
          });
      }
    }
    function announce(detail) {
      document.dispatchEvent(new CustomEvent("newsroom:autosave", { detail: detail }));
    }
    setInterval(function () { autosave(false); }, AUTOSAVE_EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") autosave(true);
    });
    window.addEventListener("beforeunload", function () { autosave(true); });
    form.addEventListener("submit", function () { lastSent = snapshot(); });

    const offer = document.querySelector("[data-autosave-offer]");
    if (offer) {
      const saved = JSON.parse(document.getElementById("autosave-data").textContent);
      offer.querySelector("[data-autosave-restore]").addEventListener("click", function () {
        Object.keys(saved).forEach(function (name) {
          if (form.elements[name]) form.elements[name].value = saved[name];
        });
        offer.hidden = true;
      });
      offer.querySelector("[data-autosave-discard]").addEventListener("click", function () {
        const data = new FormData();
        data.append("csrfmiddlewaretoken", csrfToken(form));
        data.append("discard", "1");
        fetch(autosaveUrl, { method: "POST", body: data, credentials: "same-origin" });
        offer.hidden = true;
      });
    }

    const presence = document.querySelector("[data-presence]");
    if (heartbeatUrl && presence) {
      setInterval(function () {
        const data = new FormData();
        data.append("csrfmiddlewaretoken", csrfToken(form));
        fetch(heartbeatUrl, { method: "POST", body: data, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { others: [] }; })
          .then(function (answer) {
            presence.hidden = answer.others.length === 0;
            // Each entry is already a sentence: "Ana está editando desde las 10:42".
            presence.textContent = answer.others.join(" · ");
          })
          .catch(function () {});
      }, HEARTBEAT_EVERY_MS);
    }
  });
})();
