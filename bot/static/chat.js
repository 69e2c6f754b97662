// The web chat page: everything shown comes from GET (also the bot's proactive messages);
// sending only POSTs and then fetches what is new. Each message carries a key of its own,
// sent again with it after a failed request, so the server stores and answers it once
// (202: stored, the answer comes later — the page keeps polling).
(() => {
  const api = window.CHAT_API;
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  let lastId = 0;
  let busy = false;

  function render(message) {
    const bubble = document.createElement("div");
    bubble.className = "msg " + (message.direction === "in" ? "in" : "out");
    bubble.textContent = message.text || "";
    if (message.direction === "out" && message.buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      for (const button of message.buttons) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = button.title;
        b.addEventListener("click", () => send({ button: button.id }));
        row.appendChild(b);
      }
      bubble.appendChild(row);
    }
    log.appendChild(bubble);
  }

  // Pressable: the newest keyboard, until the customer answers after it.
  function updateKeyboards() {
    let live = null;
    for (const bubble of log.children) {
      if (bubble.classList.contains("in")) live = null;
      else if (bubble.querySelector(".buttons")) live = bubble;
    }
    log.querySelectorAll(".buttons button").forEach((b) => {
      b.disabled = busy || !live || !live.contains(b);
    });
  }

  async function refresh() {
    try {
      const response = await fetch(`${api}?after=${lastId}`);
      if (!response.ok) throw new Error(response.status);
      const messages = await response.json();
      for (const m of messages) {
        if (m.id <= lastId) continue;  // an overlapping refresh already showed it
        render(m);
        lastId = m.id;
      }
      if (messages.length) log.scrollTop = log.scrollHeight;
      updateKeyboards();
      if (status.dataset.network) {
        status.textContent = "";
        delete status.dataset.network;
      }
    } catch (e) {
      status.textContent = "网络不太稳定，正在重试…";
      status.dataset.network = "1";
    }
  }

  const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000];

  function messageKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function pause(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async function send(body) {
    if (busy) return;
    busy = true;
    updateKeyboards();
    const message = { ...body, key: messageKey() };
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const response = await fetch(api, {
            method: "POST", headers: { "Content-Type": "application/json" },
            body: JSON.stringify(message),
          });
          if (response.status === 409) {
            // a button of a question no longer open: the server says so politely
            status.textContent = (await response.json()).detail;
            return;
          }
          if (response.status >= 400 && response.status < 500 && response.status !== 429) {
            throw new Error(response.status);
          }
          if (!response.ok) throw new Error("retry");
          status.textContent = "";
          return;
        } catch (e) {
          // not stored for sure: the same message, with the same key, once more
          if (e.message !== "retry" && !(e instanceof TypeError)) throw e;
          if (attempt >= RETRY_DELAYS_MS.length) throw e;
          status.textContent = "网络不太稳定，正在重新发送…";
          await pause(RETRY_DELAYS_MS[attempt]);
        }
      }
    } catch (e) {
      status.textContent = "发送失败，请稍后再试。";
    } finally {
      busy = false;
      await refresh();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text });
  });

  refresh();
  setInterval(refresh, 3000);
})();
