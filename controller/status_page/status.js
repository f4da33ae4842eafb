// Keeps the status page live: every 2 s, fetch /status.html (the server's
// rendering of /status.json, the same template the page was loaded with)
// and swap it into <main id="status">. The server escapes everything it
// renders, so the fragment is inserted as it comes. No framework, no build.
"use strict";

(function () {
  const INTERVAL_MS = 2000;
  const status = document.getElementById("status");
  const note = document.getElementById("refresh");
  note.textContent = "Updates every 2 s.";

  async function refresh() {
    try {
      const answer = await fetch("status.html", { cache: "no-store" });
      if (!answer.ok) {
        throw new Error("HTTP " + answer.status);
      }
      status.innerHTML = await answer.text();
      document.body.classList.remove("stale");
      note.textContent = "Updates every 2 s.";
    } catch (error) {
      // Keep the last state on screen, marked stale, and keep trying.
      document.body.classList.add("stale");
      note.textContent = "The controller does not answer (" + error.message + "); retrying every 2 s.";
    } finally {
      setTimeout(refresh, INTERVAL_MS);
    }
  }

  setTimeout(refresh, INTERVAL_MS);
})();
