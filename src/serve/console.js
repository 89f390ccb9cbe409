// The query page's script (src/serve/page.html), served as /assets/console.js: its CSP runs
// no inline script.
"use strict";
const ID = "https://w3id.org/medrd-kg/id/";
const PREFIXES = [["medrd","https://w3id.org/medrd-kg/ontology#"],["id",ID],
  ["rdf","http://www.w3.org/1999/02/22-rdf-syntax-ns#"],["rdfs","http://www.w3.org/2000/01/rdf-schema#"],
  ["owl","http://www.w3.org/2002/07/owl#"],["xsd","http://www.w3.org/2001/XMLSchema#"],
  ["skos","http://www.w3.org/2004/02/skos/core#"],["org","http://www.w3.org/ns/org#"],
  ["prov","http://www.w3.org/ns/prov#"],["dcterms","http://purl.org/dc/terms/"],
  ["qb","http://purl.org/linked-data/cube#"],["schema","https://schema.org/"]];
const $ = (id) => document.getElementById(id);
let lang = "ja";
let lastQuery = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}
function compact(iri) {
  for (const [p, ns] of PREFIXES) if (iri.startsWith(ns)) return p + ":" + iri.slice(ns.length);
  return iri;
}
function setLang(l) {
  lang = l;
  document.documentElement.lang = l;
  for (const e of document.querySelectorAll("[data-ja]")) e.textContent = e.dataset[l];
  $("lang").textContent = l === "ja" ? "English" : "日本語";
}
function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}
// The rule of src/markup.rs (link_target): only an http(s) URL with a host, or a path of
// this server, becomes a link; anything else (javascript:, data:, text with whitespace or
// control characters a browser would strip before reading the scheme) stays text.
function safeHref(url) {
  if (/[\s\u0000-\u001f\u007f-\u009f\\]/.test(url)) return null;
  if (/^https?:\/\/[^\/?#]/i.test(url)) return url;
  if (/^\/(?!\/)/.test(url)) return url;
  return null;
}
function cell(term) {
  if (!term) return "";
  if (term.type === "uri") {
    const href = safeHref(term.value.startsWith(ID) ? "/id/" + term.value.slice(ID.length) : term.value);
    return href === null ? el("span", {}, compact(term.value)) : el("a", {href}, compact(term.value));
  }
  const span = el("span", {}, term.type === "bnode" ? "_:" + term.value : term.value);
  if (term["xml:lang"]) span.append(" ", el("span", {class: "tag"}, "@" + term["xml:lang"]));
  else if (term.datatype && !term.datatype.endsWith("#string")) span.append(" ", el("span", {class: "tag"}, compact(term.datatype)));
  return span;
}
async function post(query, accept) {
  return fetch("/sparql", {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
    body: new URLSearchParams({query})});
}
async function run() {
  const query = $("query").value;
  lastQuery = null;
  for (const b of ["dl-csv", "dl-json", "dl-ttl"]) $(b).disabled = true;
  status(lang === "ja" ? "実行中…" : "Running…");
  const started = performance.now();
  let response;
  try {
    response = await post(query, "application/sparql-results+json, text/turtle;q=0.9");
  } catch (e) {
    status(String(e), true);
    return;
  }
  const ms = Math.round(performance.now() - started);
  const text = await response.text();
  const out = $("results");
  out.replaceChildren();
  if (!response.ok) {
    status(response.status + " " + response.statusText + "\n" + text, true);
    return;
  }
  lastQuery = query;
  if ((response.headers.get("Content-Type") || "").includes("turtle")) {
    out.append(el("pre", {}, text));
    $("dl-ttl").disabled = false;
    status((lang === "ja" ? "グラフ" : "graph") + ` · ${ms} ms`);
    return;
  }
  const json = JSON.parse(text);
  if ("boolean" in json) {
    out.append(el("pre", {}, String(json.boolean)));
    status(`ASK · ${ms} ms`);
  } else {
    const vars = json.head.vars;
    const table = el("table", {}, el("thead", {}, el("tr", {}, ...vars.map((v) => el("th", {}, v)))));
    const body = el("tbody");
    for (const b of json.results.bindings) body.append(el("tr", {}, ...vars.map((v) => el("td", {}, cell(b[v])))));
    table.append(body);
    out.append(table);
    const n = json.results.bindings.length;
    status((lang === "ja" ? `${n} 件` : `${n} rows`) + ` · ${ms} ms`);
  }
  $("dl-csv").disabled = false;
  $("dl-json").disabled = false;
}
async function download(accept, ext) {
  if (lastQuery === null) return;
  const response = await post(lastQuery, accept);
  if (!response.ok) { status(await response.text(), true); return; }
  const url = URL.createObjectURL(await response.blob());
  const a = el("a", {href: url, download: "results." + ext});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
async function gallery() {
  try {
    const queries = await (await fetch("/queries")).json();
    for (const q of queries) {
      const li = el("li", {tabindex: "0", title: q.sparql}, el("div", {class: "name"}, q.name), el("div", {class: "summary"}, q.summary));
      const load = () => { $("query").value = q.sparql; run(); };
      li.addEventListener("click", load);
      li.addEventListener("keydown", (e) => { if (e.key === "Enter") load(); });
      $("gallery").append(li);
    }
  } catch (e) {
    $("gallery").append(el("li", {}, String(e)));
  }
}
async function draw() {
  const kind = $("dkind").value;
  const arg = $("darg").value.trim();
  const path = "/diagram/" + encodeURIComponent(kind) + (arg ? "/" + encodeURIComponent(arg) : "") + "?lang=" + lang;
  $("dstatus").textContent = lang === "ja" ? "描画中…" : "Drawing…";
  const out = $("diagram-out");
  out.replaceChildren();
  const response = await fetch(path);
  const text = await response.text();
  if (!response.ok) {
    $("dstatus").textContent = response.status + " " + text;
    return;
  }
  // The SVG comes from our own server (Graphviz output of our own data).
  const svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
  out.append(document.importNode(svg, true));
  $("dstatus").replaceChildren(el("a", {href: path, target: "_blank"}, "SVG"));
}
$("run").addEventListener("click", run);
$("query").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
$("dl-csv").addEventListener("click", () => download("text/csv", "csv"));
$("dl-json").addEventListener("click", () => download("application/sparql-results+json", "json"));
$("dl-ttl").addEventListener("click", () => download("text/turtle", "ttl"));
$("lang").addEventListener("click", () => setLang(lang === "ja" ? "en" : "ja"));
$("draw").addEventListener("click", draw);
setLang(navigator.language && !navigator.language.startsWith("ja") ? "en" : "ja");
gallery();
// /?query=TEXT (the explorer's "open in the console" links) loads and runs that query.
{ const given = new URLSearchParams(location.search).get("query"); if (given) { $("query").value = given; run(); } }
