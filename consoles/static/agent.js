// The agent desk: live state, the softphone (Twilio SDK or the emulator), screen pop, wrap-up.
// No inline script (CSP); every text is set with textContent, never parsed as HTML.
"use strict";
(function () {
  const desk = document.getElementById("agent-desk");
  if (!desk) return;
  const pollMs = Number(desk.dataset.pollMs) || 1000;
  const csrf = desk.querySelector('input[name="csrf_token"]').value;
  const NONE = "\u2013";
  let clock = { seconds: null, at: 0 };

  function duration(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return NONE;
    const total = Math.max(0, Math.round(seconds));
    const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  }
  function field(name) {
    return desk.querySelector(`[data-field="${name}"]`);
  }
  function set(name, text) {
    const el = field(name);
    if (el && el.textContent !== String(text)) el.textContent = text;
  }
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function post(url) {
    return fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf } });
  }

  // --- state and time in state -------------------------------------------------------------
  const ALLOWED = {
    available: ["logged_out", "break", "paused", "wrap_up"],
    break: ["available", "paused", "wrap_up"],
    logout: ["available", "break", "paused", "wrap_up"],
    finish_wrap: ["wrap_up"],
  };
  function renderStatus(status) {
    set("state", status.state.replace("_", " "));
    clock = { seconds: status.seconds_in_state, at: Date.now() };
    tick();
    const shift = field("shift");
    shift.classList.toggle("off-shift", !status.on_shift);
    set("shift", status.on_shift ? "On shift now." : "Not on shift now: you will not be offered calls.");
    for (const button of desk.querySelectorAll("button[data-action]")) {
      button.disabled = !ALLOWED[button.dataset.action].includes(status.state);
    }
  }
  function tick() {
    const extra = clock.seconds === null ? null : clock.seconds + (Date.now() - clock.at) / 1000;
    set("time_in_state", duration(extra));
  }

  // --- screen pop ----------------------------------------------------------------------------
  function row(list, term, value, cls) {
    list.appendChild(el("dt", term));
    list.appendChild(el("dd", value, cls));
  }
  function renderPop(pop) {
    const box = document.getElementById("screen-pop");
    if (!pop) {
      box.hidden = true;
      box.replaceChildren();
      box.dataset.entry = "";
      return;
    }
    const live = pop.kind === "call";
    const title = pop.phase === "offered"
      ? (live ? "Incoming call" : "Callback to make")
      : (live ? "On a call" : "On a callback");
    const parts = [el("h2", title)];
    if (pop.warning) parts.push(el("p", pop.warning, "verify"));
    const how = el("dl", null, "how");
    row(how, "Caller", pop.authenticated ? "Identity verified" : "Not verified", pop.authenticated ? "" : "bad");
    row(how, "Type", live ? "Live call" : "Callback");
    row(how, live ? "Waited" : "Requested", duration(pop.waited_seconds) + (live ? "" : " ago"));
    row(how, "Language", pop.language);
    if (pop.caller) row(how, "Calling from", pop.caller);
    if (!live) {
      row(how, "Number to call", pop.callback_number || NONE);
      row(how, "Safe to leave a message", pop.safe_to_leave_message ? "Yes" : "No: do not leave a message",
        pop.safe_to_leave_message ? "" : "bad");
    }
    parts.push(how);
    if (pop.case) {
      const c = pop.case;
      parts.push(el("h3", `Case ${c.crime_reference}`));
      const facts = el("dl", null, "case");
      row(facts, "Status", c.status_code.replaceAll("_", " ") + (c.status_detail ? `: ${c.status_detail}` : ""));
      row(facts, "Officer", c.officer || NONE);
      row(facts, "Priority tier", c.priority_tier);
      row(facts, "Language", c.language);
      row(facts, "Offence", c.offence || NONE);
      row(facts, "Overdue update", c.overdue ? `Yes (was due ${c.next_update_due || "earlier"})` : "No",
        c.overdue ? "bad" : "");
      parts.push(facts);
    }
    box.replaceChildren(...parts);
    box.dataset.entry = pop.entry;
    box.hidden = false;
  }

  // --- wrap-up -------------------------------------------------------------------------------
  function renderWrapUp(wrap) {
    const box = document.getElementById("wrap-up");
    const input = box.querySelector('input[name="call_id"]');
    if (!wrap) {
      box.hidden = true;
      return;
    }
    if (input.value !== String(wrap.call_id)) {
      box.querySelector("form").reset();
      input.value = wrap.call_id;
    }
    box.hidden = false;
  }

  async function poll() {
    try {
      const response = await fetch(desk.dataset.stateUrl, { credentials: "same-origin", cache: "no-store" });
      if (response.redirected || !response.ok) throw new Error(`status ${response.status}`);
      const data = await response.json();
      renderStatus(data.status);
      renderPop(data.pop);
      renderWrapUp(data.wrap_up);
      desk.classList.remove("stale");
    } catch (error) {
      desk.classList.add("stale");
    } finally {
      window.setTimeout(poll, pollMs);
    }
  }

  // --- softphone -----------------------------------------------------------------------------
  const buttons = {
    answer: document.getElementById("phone-answer"),
    reject: document.getElementById("phone-reject"),
    hangup: document.getElementById("phone-hangup"),
  };
  function phoneUi(state, text) {
    set("phone_status", text);
    desk.dataset.phone = state;
    buttons.answer.hidden = buttons.reject.hidden = state !== "ringing";
    buttons.hangup.hidden = state !== "connected";
  }

  // The Twilio emulator's interactive party, relayed by Helpline (works offline).
  function emulatorPhone() {
    const base = desk.dataset.phoneUrl;
    let after = 0, current = null;
    function apply(event) {
      if (event.kind === "ringing") {
        current = event.call_sid;
        phoneUi("ringing", "Ringing: a call for you.");
      } else if (event.kind === "whisper" && event.call_sid === current) {
        phoneUi("connected", `Connecting: ${event.text}`);
      } else if (event.kind === "connected" && event.call_sid === current) {
        phoneUi("connected", "On a call.");
      } else if (event.kind === "ended" && event.call_sid === current) {
        current = null;
        phoneUi("idle", "Phone ready (emulator).");
      }
    }
    async function follow() {
      try {
        const response = await fetch(`${base}/events?after=${after}`, { credentials: "same-origin" });
        if (!response.ok) throw new Error(`status ${response.status}`);
        const body = await response.json();
        body.events.forEach(apply);
        after += body.events.length;
        window.setTimeout(follow, 0);
      } catch (error) {
        phoneUi("offline", "Phone offline: retrying.");
        window.setTimeout(start, 2000);
      }
    }
    async function start() {
      const response = await post(`${base}/register`).catch(() => null);
      if (!response || !response.ok) {
        phoneUi("offline", "Phone offline: the emulator is not reachable.");
        window.setTimeout(start, 2000);
        return;
      }
      after = 0;  // replay the feed so a reload mid-call shows the call
      phoneUi("idle", "Phone ready (emulator).");
      follow();
    }
    const act = (action) => () => post(`${base}/${action}`);
    return { start, answer: act("answer"), reject: act("reject"), hangup: act("hangup") };
  }

  // The real thing: the Twilio Voice JavaScript SDK, served from static/vendor/.
  function twilioPhone() {
    let device = null, current = null;
    async function token() {
      const response = await post(desk.dataset.tokenUrl);
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || `status ${response.status}`);
      return body.token;
    }
    function incoming(call) {
      current = call;
      phoneUi("ringing", "Ringing: a call for you.");
      call.on("accept", () => phoneUi("connected", "On a call."));
      for (const end of ["disconnect", "cancel", "reject"]) {
        call.on(end, () => { current = null; phoneUi("idle", "Phone ready."); });
      }
    }
    async function start() {
      if (!window.Twilio || !window.Twilio.Device) {
        phoneUi("offline", "Phone offline: the Twilio Voice SDK did not load.");
        return;
      }
      try {
        device = new window.Twilio.Device(await token(), { closeProtection: true });
        device.on("incoming", incoming);
        device.on("registered", () => phoneUi("idle", "Phone ready."));
        device.on("error", (error) => phoneUi("offline", `Phone error: ${error.message}`));
        device.on("tokenWillExpire", async () => device.updateToken(await token()));
        await device.register();
      } catch (error) {
        phoneUi("offline", `Phone offline: ${error.message}`);
      }
    }
    return {
      start,
      answer: () => current && current.accept(),
      reject: () => current && current.reject(),
      hangup: () => current && current.disconnect(),
    };
  }

  const phone = desk.dataset.softphone === "emulator" ? emulatorPhone() : twilioPhone();
  for (const [action, button] of Object.entries(buttons)) {
    button.addEventListener("click", () => phone[action]());
  }
  window.setInterval(tick, 1000);
  phone.start();
  poll();
})();
