// The explorer's only script, served as /assets/explorer.js (the pages' CSP runs no inline
// script): search as you type (the page works without it, as a form).
(function () {
  const form = document.getElementById("search-form");
  const input = document.getElementById("q");
  const out = document.getElementById("results");
  if (!form || !input || !out) return;
  const status = document.getElementById("search-status");
  let timer = null, seq = 0;
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
  // The link rule of src/markup.rs (link_target): an http(s) URL or a path of this server.
  const safeHref = (url) => /[\s\u0000-\u001f\u007f-\u009f\\]/.test(url) ? null
    : /^https?:\/\/[^\/?#]/i.test(url) || /^\/(?!\/)/.test(url) ? url : null;
  const link = (href, text) => safeHref(String(href)) === null ? esc(text)
    : '<a href="' + esc(href) + '">' + esc(text) + "</a>";
  async function update() {
    const q = input.value;
    const lang = document.documentElement.lang;
    const mine = ++seq;
    // The view's fiscal year, when the page is not on the default one (a hidden input).
    const fy = form.querySelector('input[name="fy"]');
    // Partial: the names at once while the budget lines and recipients are still being read
    // (minutes after a start at the scale of every review sheet); the header says so.
    const params = new URLSearchParams({q, lang, format: "json", partial: "1"});
    if (fy) params.set("fy", fy.value);
    const response = await fetch(form.getAttribute("action") + "?" + params);
    if (!response.ok || mine !== seq) return;
    const hits = await response.json();
    if (mine !== seq) return;
    out.innerHTML = hits.map((h) =>
      '<li><span class="kind">' + esc(h.kind_label) + "</span>" + link(h.href, h.label) +
      (h.context ? ' <span class="src">' + esc(h.context) + "</span>" : "") + "</li>").join("");
    const pending = response.headers.get("Medrd-Search-Pending") ? " " + form.dataset.pending : "";
    if (status) status.textContent = form.dataset.count.replace("{n}", hits.length) + pending;
    // The page's own notice spoke of its first answer; this one is said in the status.
    const note = document.getElementById("search-pending");
    if (note) note.remove();
    if (location.pathname === form.getAttribute("action")) {
      const view = new URLSearchParams({q}); if (lang !== "ja") view.set("lang", lang);
      if (fy) view.set("fy", fy.value);
      history.replaceState(null, "", location.pathname + "?" + view);
    }
  }
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 120); });
})();
