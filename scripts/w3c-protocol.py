#!/usr/bin/env python3
"""Runs the W3C SPARQL 1.1 Protocol tests (tests/w3c/protocol/manifest.ttl, from w3c/rdf-tests
sparql/sparql11/protocol) against `medrd serve`.

The manifest describes each test as HTTP requests and the responses expected (status class,
result form, ASK answer). This runner starts `medrd serve` on a free loopback port with the
manifest's data files loaded by `--with`, sends every request as written and checks the
answers. Two adaptations, both allowed by the manifest's own comment or the endpoint's
policy:

- `/sparql/` in request paths is replaced by the endpoint's path `/sparql`, and the graph
  IRIs a test names for its data files (`ut:graphData [ ut:graph <data1.nt> ; rdfs:label
  "http://kasei.us/…/data1.rdf" ]`) are replaced in `default-graph-uri`/`named-graph-uri`
  by the graph `medrd --with data1.nt` loads the file into
  (<https://w3id.org/medrd-kg/graph/with/data1.nt>).
- The endpoint is read-only: an update test passes when its update request is refused with
  403 (and its follow-up queries, which look for the update's effect, are not sent); a test
  expecting 4xx for a bad update still needs a 4xx.

Usage: scripts/w3c-protocol.py [path/to/medrd]   (default: target/debug/medrd)
Needs rdflib (scripts/requirements-ci.txt) to read the manifest. Prints one line per test
and "N passed, M failed"; exits 0 when all pass, 1 when one fails, 2 when the server
cannot start.
"""

import http.client
import json
import pathlib
import queue
import re
import subprocess
import sys
import threading
import urllib.parse

from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

ROOT = pathlib.Path(__file__).resolve().parent.parent
SUITE = ROOT / "tests" / "w3c" / "protocol"
MEDRD = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "debug" / "medrd")
WITH_GRAPH = "https://w3id.org/medrd-kg/graph/with/"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}


def start_server(data_files):
    args = [MEDRD, "--root", str(ROOT)]
    for f in data_files:
        args += ["--with", str(f)]
    args += ["serve", "--bind", "127.0.0.1:0"]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in proc.stderr], daemon=True).start()
    try:
        while True:
            line = lines.get(timeout=60)
            match = re.search(r"listening on http://(127\.0\.0\.1:\d+)/", line)
            if match:
                return proc, match.group(1)
    except queue.Empty:
        pass
    proc.kill()
    print("medrd serve did not start within 60 s", file=sys.stderr)
    sys.exit(2)


def items(graph, node):
    return list(Collection(graph, node)) if node is not None else []


def rewrite(encoded, graphs):
    """Replaces the test's graph IRIs by the --with graphs in url-encoded parameters."""
    pairs = urllib.parse.parse_qsl(encoded, keep_blank_values=True)
    out = []
    for k, v in pairs:
        if k in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
            v = graphs.get(v, v)
        out.append((k, v))
    return urllib.parse.urlencode(out, quote_via=urllib.parse.quote)


def status_ok(status, expected):
    for e in expected:
        name = str(e).rsplit("#", 1)[-1]
        m = re.fullmatch(r"StatusCode(\d)xx", name)
        if m and status // 100 == int(m.group(1)):
            return True
        m = re.fullmatch(r"StatusCode(\d{3})", name)
        if m and status == int(m.group(1)):
            return True
    return False


def check_body(resp, content_type, body, g):
    """'' when the body is of the expected form (and ASK answer), else why not."""
    form = g.value(resp, MF.expectedFormat)
    media = content_type.split(";")[0].strip().lower()
    if form is None:
        return ""
    form = str(form)
    if form in ("boolean", "tabular"):
        if media not in RESULT_TYPES:
            return f"expected a {form} result, got Content-Type {content_type!r}"
    if form == "boolean":
        want = g.value(resp, MF.expectedBoolean)
        text = body.decode("utf-8")
        if media == "application/sparql-results+json":
            got = json.loads(text).get("boolean")
        elif media == "application/sparql-results+xml":
            m = re.search(r"<boolean>\s*(true|false)\s*</boolean>", text)
            got = m and m.group(1) == "true"
        else:
            got = text.strip().splitlines()[-1].strip() == "true"
        if want is not None and got != want.toPython():
            return f"ASK answered {got}, expected {want}"
    if form == "RDF":
        if media not in RDF_TYPES:
            return f"expected RDF, got Content-Type {content_type!r}"
        try:
            Graph().parse(data=body, format=RDF_TYPES[media])
        except Exception as e:  # noqa: BLE001 - any parse failure is a failed test
            return f"the {media} answer does not parse: {e}"
    return ""


def main():
    g = Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest.ttl")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    entries = items(g, g.value(manifest, MF.entries))
    # Every data file any test names, and the graph each stands for.
    graphs = {}
    files = set()
    for test in entries:
        for gd in g.objects(test, UT.graphData):
            name = str(g.value(gd, UT.graph)).rsplit("/", 1)[-1]
            files.add(SUITE / name)
            graphs[str(g.value(gd, RDFS.label))] = WITH_GRAPH + name
    proc, authority = start_server(sorted(files))
    host, port = authority.split(":")
    failed = []
    passed = 0
    try:
        for test in entries:
            name = str(test).rsplit("#", 1)[-1]
            action = g.value(test, MF.action)
            problem = ""
            note = ""
            for req in items(g, g.value(action, HT.requests)):
                method = str(g.value(req, HT.methodName))
                path = str(g.value(req, HT.absolutePath))
                path, _, query = path.partition("?")
                path = "/sparql" if path.rstrip("/") == "/sparql" else path
                if query:
                    path += "?" + rewrite(query, graphs)
                headers = {}
                for h in items(g, g.value(req, HT.headers)):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
                body_node = g.value(req, HT.body)
                body = None
                if body_node is not None:
                    text = str(g.value(body_node, CNT.chars))
                    encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
                    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                        text = rewrite(text, graphs)
                    body = text.encode(encoding)
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                conn.request(method, path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                conn.close()
                resp = g.value(req, HT.resp)
                expected = list(g.objects(resp, MF.expectedStatus))
                content_type = headers.get("content-type", "")
                is_update = "sparql-update" in content_type or (
                    "x-www-form-urlencoded" in content_type
                    and "update" in dict(urllib.parse.parse_qsl((body or b"").decode("utf-8", "replace")))
                )
                if is_update and r.status == 403 and not status_ok(403, expected):
                    # An update the read-only endpoint refuses: what follows checks its effect.
                    note = " (update refused: 403, read-only endpoint)"
                    break
                if not status_ok(r.status, expected):
                    problem = f"{method} {path}: status {r.status}, expected {', '.join(str(e).rsplit('#', 1)[-1] for e in expected)}: {data[:200]!r}"
                    break
                if 200 <= r.status < 300:
                    problem = check_body(resp, r.getheader("Content-Type", ""), data, g)
                    if problem:
                        problem = f"{method} {path}: {problem}"
                        break
            if problem:
                failed.append(name)
                print(f"FAIL  {name}: {problem}")
            else:
                passed += 1
                print(f"ok    {name}{note}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"{passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
