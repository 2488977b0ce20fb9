// Keep the wallboard current by polling its JSON; no page reloads, no inline script (CSP).
"use strict";
(function () {
  const board = document.getElementById("wallboard");
  if (!board) return;
  const source = board.dataset.source;
  const pollMs = Number(board.dataset.pollMs) || 2000;
  const NONE = "\u2013";

  function duration(seconds) {
    if (seconds === null || seconds === undefined || !isFinite(seconds)) return NONE;
    const total = Math.round(seconds);
    const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  }
  function percent(fraction) {
    return fraction === null || fraction === undefined ? NONE : `${Math.round(fraction * 100)}%`;
  }
  function set(field, text) {
    const el = board.querySelector(`[data-field="${field}"]`);
    if (el && el.textContent !== String(text)) el.textContent = text;
  }
  function summary(agents) {
    if (!agents.states_known) {
      return `${agents.rostered_now} rostered now; live states are not available yet.`;
    }
    const parts = Object.entries(agents.by_state).map(([state, people]) => `${people.length} ${state}`);
    return parts.join(", ") || "No agents logged in.";
  }
  function agentRows(agents) {
    const body = board.querySelector('[data-field="agents"]');
    const rows = [];
    for (const [state, people] of Object.entries(agents.by_state)) {
      for (const person of people) {
        const tr = document.createElement("tr");
        for (const text of [person.name, state, duration(person.seconds_in_state)]) {
          const td = document.createElement("td");
          td.textContent = text;
          tr.appendChild(td);
        }
        rows.push(tr);
      }
    }
    body.replaceChildren(...rows);
  }
  function render(data) {
    const q = data.queue, t = data.today, cb = data.callbacks;
    set("waiting", q.waiting);
    set("longest_wait", duration(q.longest_wait_seconds));
    const tile = document.getElementById("longest-wait-tile");
    tile.classList.toggle("alert", q.longest_wait_seconds > Number(tile.dataset.limit));
    set("callbacks_pending", cb.pending);
    set("callbacks_due", cb.due);
    set("overdue_cases", data.overdue_cases);
    set("offered", t.offered);
    set("answered", t.answered);
    set("abandoned", t.abandoned);
    set("short_abandons", t.short_abandons);
    set("answer_rate", percent(t.answer_rate));
    set("asa", duration(t.asa_seconds));
    set("average_wait", duration(t.average_wait_seconds));
    set("longest_answered_wait", duration(t.longest_wait_seconds));
    set("longest_abandon_wait", duration(t.longest_abandon_wait_seconds));
    set("service_level", percent(t.service_level));
    set("service_level_2", percent(t.service_level_2));
    set("self_served", t.self_served);
    for (const name of ["requested", "completed", "failed", "expired"]) {
      set(`callbacks_${name}`, t.callbacks[name]);
    }
    set("agents_summary", summary(data.agents));
    agentRows(data.agents);
    set("generated_at", data.generated_local);
    board.querySelector('[data-field="generated_at"]').setAttribute("datetime", data.generated_at);
    board.classList.remove("stale");
  }
  async function poll() {
    try {
      const response = await fetch(source, { credentials: "same-origin", cache: "no-store" });
      if (response.redirected || !response.ok) throw new Error(`status ${response.status}`);
      render(await response.json());
    } catch (error) {
      board.classList.add("stale");  // keep the last figures, but show they are old
    } finally {
      window.setTimeout(poll, pollMs);
    }
  }
  window.setTimeout(poll, pollMs);
})();
