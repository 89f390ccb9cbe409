#!/usr/bin/env python3
"""Checks `medrd serve` with clients that no one on this project wrote.

1. SPARQLWrapper (the Python SPARQL client) sends every named query to the endpoint and must
   get the same rows as `medrd query NAME --format csv` prints.
2. CONSTRUCT and DESCRIBE through SPARQLWrapper's defaults (it sends `format=xml` beside
   `Accept: application/rdf+xml`), its N3 and Turtle return formats, and rdflib's
   SPARQLStore must give the graph `medrd query` gives.
   Graph Store Protocol reads: `GET /store?graph=IRI` in six syntaxes (urllib, read by
   rdflib) give the graph `medrd query` gives; an unknown graph is 404; `?default`, the
   union of every graph, is past the answer limit: 413 saying how to take it, never cut.
3. Headless Chromium (Debian's chromium + chromedriver, driven by Selenium) loads the web
   page, clicks the `program-projects` query in the gallery, sees its result rows, and draws
   the `theme dementia` diagram. Then (issue 19, item 5) it opens `/?query=` with a query
   whose result is a `javascript:` IRI: the IRI is shown as text, never a link, and clicking
   it runs nothing; and no page logs a Content-Security-Policy violation (the pages work
   under the policy every answer carries).
4. The explorer in the same browser (issue 14): types 認知症 in the search box, opens
   認知症研究開発事業 from the results as they appear, checks its page (厚生労働省, projects
   1, 4 and 5, its initiatives with their 【新規】 marks and source lines, its diagram),
   downloads its table as CSV and checks the rows. Then axe-core (from npm; its
   `axe.min.js` is given by $AXE_JS, see .ci/run) is injected into home, search, a program
   page and a project page: no serious or critical violation may remain.
5. A reader follows the money (issue 23), in the same browser: finds AMED as a recipient
   by searching its name, reads what it received in FY2023 and FY2024 and from which lines,
   opens the aggregate line 2958; opens 認知症研究開発事業 and finds the line it is funded
   through and that line's figures over a decade; downloads project 4's programs with their
   amounts as CSV; hovers a bar of a chart (its title is the figure and source) and clicks
   it to reach the source line it cites. Every page it passes is checked by axe-core (also
   `/` and `/id/…`) and for sideways scrolling at 390 px.

Usage: scripts/ci_clients.py [path/to/medrd]   (default: target/debug/medrd)
Exits 0 when every check passes, 1 on a failed check, 2 when the server cannot start.
"""

import csv
import io
import pathlib
import queue
import re
import subprocess
import sys
import threading

ROOT = pathlib.Path(__file__).resolve().parent.parent
MEDRD = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "debug" / "medrd")
failures = []
passed = []


def check(ok, message):
    print(("ok    " if ok else "FAIL  ") + message)
    (passed if ok else failures).append(message)


def start_server():
    """Starts `medrd serve` on a free loopback port; gives the process and its base URL."""
    proc = subprocess.Popen(
        [MEDRD, "--root", str(ROOT), "serve", "--bind", "127.0.0.1:0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in proc.stderr], daemon=True).start()
    try:
        while True:
            line = lines.get(timeout=30)
            match = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", line)
            if match:
                return proc, match.group(1)
    except queue.Empty:
        pass
    proc.kill()
    print("medrd serve did not start within 30 s", file=sys.stderr)
    sys.exit(2)


def medrd_rows(name):
    out = subprocess.run(
        [MEDRD, "--root", str(ROOT), "query", name, "--format", "csv"],
        check=True, capture_output=True, text=True,
    ).stdout
    rows = list(csv.reader(io.StringIO(out)))
    return rows[0], [tuple(r) for r in rows[1:]]


def sparqlwrapper_reads_every_query_form():
    """SPARQLWrapper finds a query's form (and so GET or POST, query or update) by the first
    keyword in the text once comments are removed, but its comment pattern leaves every
    second line of a run of comments in place, and it matches keywords inside words: a
    comment such as "never add both" before SELECT made it send a query as an update (403).
    Every .rq file we ship must be read as the form it has."""
    from SPARQLWrapper import SPARQLWrapper

    wrong = []
    files = sorted((ROOT / "queries").rglob("*.rq"))
    for f in files:
        text = f.read_text(encoding="utf-8")
        body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
        form = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE)\b", body, re.I)
        want = form.group(1).upper() if form else "no query form"
        got = SPARQLWrapper("http://127.0.0.1/")._parseQueryType(text)
        if got != want:
            wrong.append(f"{f.relative_to(ROOT)}: {got} for {want}")
    check(not wrong, f"SPARQLWrapper reads the form of all {len(files)} .rq files"
          + ("" if not wrong else ": " + "; ".join(wrong)))


def sparqlwrapper_checks(base):
    from SPARQLWrapper import JSON, SPARQLWrapper

    names = [p.stem for p in sorted((ROOT / "queries").glob("*.rq"))]
    for name in names:
        header, expected = medrd_rows(name)
        client = SPARQLWrapper(base + "/sparql")
        client.setQuery((ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8"))
        client.setReturnFormat(JSON)
        result = client.query().convert()
        got = [
            tuple(b[v]["value"] if v in b else "" for v in header)
            for b in result["results"]["bindings"]
        ]
        check(result["head"]["vars"] == header and got == expected,
              f"SPARQLWrapper: {name} gives the same {len(expected)} rows as medrd query")


DEMENTIA = "https://w3id.org/medrd-kg/id/program/dementia-rd"
GRAPH_QUERIES = {
    "CONSTRUCT": "PREFIX medrd: <https://w3id.org/medrd-kg/ontology#>\n"
    f"CONSTRUCT {{ <{DEMENTIA}> medrd:partOfProject ?p . ?p ?q ?o }}\n"
    f"WHERE {{ <{DEMENTIA}> medrd:partOfProject ?p . ?p ?q ?o }}",
    "DESCRIBE": f"DESCRIBE <{DEMENTIA}>",
}


def medrd_graph(sparql):
    from rdflib import Graph

    out = subprocess.run(
        [MEDRD, "--root", str(ROOT), "query", "--sparql", sparql, "--format", "ntriples"],
        check=True, capture_output=True, text=True,
    ).stdout
    return Graph().parse(data=out, format="nt")


def graph_clients_checks(base):
    from rdflib import Graph
    from rdflib.compare import isomorphic
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    from SPARQLWrapper import N3, TURTLE, SPARQLWrapper

    for form, sparql in GRAPH_QUERIES.items():
        expected = medrd_graph(sparql)
        for label, fmt in (("default (RDF/XML)", None), ("N3", N3), ("Turtle", TURTLE)):
            try:
                client = SPARQLWrapper(base + "/sparql")
                client.setQuery(sparql)
                if fmt is not None:
                    client.setReturnFormat(fmt)
                got = client.query().convert()
                if isinstance(got, bytes):
                    got = Graph().parse(data=got, format="turtle")
                ok = isomorphic(got, expected)
                detail = f"{len(got)} triples"
            except Exception as e:  # a refused or unreadable answer is the failure checked
                ok, detail = False, f"{type(e).__name__}: {e}"
            check(ok and len(expected) > 0,
                  f"SPARQLWrapper {label}: {form} gives the {len(expected)} triples of medrd query ({detail})")
        try:
            got = Graph(SPARQLStore(base + "/sparql")).query(sparql).graph
            ok = isomorphic(got, expected)
            detail = f"{len(got)} triples"
        except Exception as e:
            ok, detail = False, f"{type(e).__name__}: {e}"
        check(ok and len(expected) > 0,
              f"rdflib SPARQLStore: {form} gives the {len(expected)} triples of medrd query ({detail})")


GSP_GRAPH = "https://w3id.org/medrd-kg/graph/fy2024-request"
GSP_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


def graph_store_checks(base):
    """Graph Store Protocol reads (issue 24): `GET /store?graph=IRI` in each syntax gives the
    graph `medrd query` gives for `GRAPH <IRI>`; an unknown graph is 404; `?default` is 413."""
    import urllib.error
    import urllib.parse
    import urllib.request

    from rdflib import Dataset, Graph
    from rdflib.compare import isomorphic

    expected = medrd_graph(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GSP_GRAPH}> {{ ?s ?p ?o }} }}")
    url = f"{base}/store?graph={urllib.parse.quote(GSP_GRAPH, safe='')}"
    for media, fmt in GSP_FORMATS.items():
        try:
            req = urllib.request.Request(url, headers={"Accept": media})
            with urllib.request.urlopen(req, timeout=30) as r:
                body, ctype = r.read(), r.headers.get("Content-Type", "")
            if fmt in ("nquads", "trig"):
                ds = Dataset()
                ds.parse(data=body, format=fmt)
                got = Graph()
                for s, p, o, _ in ds.quads():
                    got.add((s, p, o))
            else:
                got = Graph().parse(data=body, format=fmt)
            ok = ctype.startswith(media) and isomorphic(got, expected)
            detail = f"{len(got)} triples, {ctype}"
        except Exception as e:  # an unreadable answer is the failure checked
            ok, detail = False, f"{type(e).__name__}: {e}"
        check(ok and len(expected) > 0,
              f"GSP GET /store?graph=… as {media}: the {len(expected)} triples of medrd query ({detail})")
    # The default graph is the union of every graph (182k triples): past the server's
    # 100,000-triple answer, it is refused whole (413, saying how to take it), never cut.
    for what, query, want, says in (
        ("an unknown graph", "graph=" + urllib.parse.quote("https://example.org/none", safe=""), 404, ""),
        ("the default graph, the union", "default", 413, "medrd export"),
    ):
        try:
            r = urllib.request.urlopen(f"{base}/store?{query}", timeout=30)
            status, body = r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read().decode("utf-8", "replace")
        check(status == want and says in body,
              f"GSP GET /store?{query.split('=')[0]} ({what}): {status}, want {want}: {body[:90]!r}")


def browser_checks(base):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1400,1000"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        wait = WebDriverWait(driver, 20)
        driver.get(base + "/")
        item = wait.until(ec.element_to_be_clickable(
            (By.XPATH, "//ul[@id='gallery']/li[div[@class='name' and text()='program-projects']]")))
        item.click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results tbody tr")) > 0)
        rows = driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")
        _, expected = medrd_rows("program-projects")
        text = driver.find_element(By.ID, "results").text
        check(len(rows) == len(expected) and "認知症研究開発事業" in text,
              f"browser: the gallery's program-projects shows {len(rows)} rows (medrd query: {len(expected)})")
        Select(driver.find_element(By.ID, "dkind")).select_by_value("theme")
        arg = driver.find_element(By.ID, "darg")
        arg.clear()
        arg.send_keys("dementia")
        driver.find_element(By.ID, "draw").click()
        svg = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#diagram-out svg")))
        # The page speaks the browser's language (ja or en); the diagram follows it.
        drawn = svg.get_attribute("innerHTML")
        nodes = len(driver.find_elements(By.CSS_SELECTOR, "#diagram-out svg g.node"))
        check(("認知症" in drawn or "Dementia" in drawn) and nodes > 10,
              f"browser: the theme dementia diagram is drawn in the page ({nodes} nodes)")
        shot = pathlib.Path("/tmp/medrd-page.png")
        driver.save_screenshot(str(shot))
        print(f"      screenshot: {shot}")
        hostile_iri_checks(driver, wait, base)
        csp_checks(driver, "the query page")
    finally:
        driver.quit()


def hostile_iri_checks(driver, wait, base):
    """Issue 19, item 5: `/?query=` runs on load; a `javascript:` IRI in the results was a
    link, and clicking it ran the script."""
    import urllib.parse
    from selenium.webdriver.common.by import By

    iri = "javascript:void(document.title=document.domain)"
    query = f"SELECT ?x WHERE {{ VALUES ?x {{ <{iri}> <https://example.org/fine> }} }}"
    driver.get(base + "/?query=" + urllib.parse.quote(query))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results tbody tr")) == 2)
    title = driver.title
    cells = driver.find_elements(By.CSS_SELECTOR, "#results tbody td")
    links = driver.execute_script(
        "return [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    for cell in cells:
        for element in cell.find_elements(By.XPATH, "./*"):
            if element.tag_name != "a":
                element.click()
    check(any(c.text == iri for c in cells) and "https://example.org/fine" in links
          and not any(h.strip().lower().startswith(("javascript:", "data:")) for h in links)
          and driver.title == title,
          f"browser: a javascript: IRI in the results is text, not a link, and clicking it runs "
          f"nothing (title {driver.title!r}; links {links})")


def csp_checks(driver, what):
    """No Content-Security-Policy violation was logged while the pages were used."""
    try:
        logs = driver.get_log("browser")
    except Exception as e:  # a driver without logs cannot tell
        check(False, f"browser: {what}: the console log could not be read ({e})")
        return
    violations = [l["message"] for l in logs if "Content Security Policy" in l["message"]]
    check(not violations, f"browser: {what}: no Content-Security-Policy violation logged "
                          f"({violations[:3]})")


def explorer_checks(base):
    import os
    import tempfile
    import time
    import urllib.request
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    downloads = tempfile.mkdtemp(prefix="medrd-explorer-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1280,1000", "--lang=ja"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        wait = WebDriverWait(driver, 20)
        driver.get(base + "/explore")
        box = wait.until(ec.element_to_be_clickable((By.ID, "q")))
        box.send_keys("認知症")
        # Answered as you type: the result list fills without submitting the form.
        link = wait.until(ec.element_to_be_clickable(
            (By.XPATH, "//ol[@id='results']//a[text()='認知症研究開発事業']")))
        check(driver.current_url.rstrip("/").endswith("/explore"),
              "explorer: typing 認知症 lists 認知症研究開発事業 as you type")
        link.click()
        wait.until(ec.presence_of_element_located((By.ID, "statements")))
        check(driver.current_url.endswith("/explore/program/dementia-rd"),
              f"explorer: the result opens the program page ({driver.current_url})")
        facts = driver.find_element(By.CSS_SELECTOR, "dl.facts").text
        projects = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#projects a")]
        check("厚生労働省" in facts and [p.split(".")[0] for p in projects] == ["1", "4", "5"],
              f"explorer: the program page shows 厚生労働省 and projects {projects}")
        rows = driver.find_elements(By.CSS_SELECTOR, "#statements tbody tr")
        marked = [r for r in rows if "【新規】" in r.find_elements(By.TAG_NAME, "td")[3].text]
        quoted = all("L" + r.find_elements(By.TAG_NAME, "td")[0].text in r.text and
                     "【新規】" in r.find_elements(By.TAG_NAME, "td")[6].text for r in marked)
        check(len(rows) == 11 and len(marked) == 4 and quoted,
              f"explorer: {len(rows)} statements, {len(marked)} initiatives marked 【新規】 with their source lines quoted")
        diagram = driver.find_element(By.ID, "diagram")
        loaded = driver.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth", diagram)
        check(bool(loaded), f"explorer: its diagram is shown ({loaded} px wide)")
        driver.find_element(By.XPATH, "//div[table[@id='statements']]/following-sibling::p[@class='dl']/a[text()='CSV']").click()
        deadline = time.time() + 20
        files = []
        while time.time() < deadline:
            files = [f for f in os.listdir(downloads) if f.endswith(".csv")]
            if files:
                break
            time.sleep(0.2)
        rows = []
        if files:
            with open(os.path.join(downloads, files[0]), encoding="utf-8") as f:
                rows = list(csv.reader(f))
        lines = [r[0] for r in rows[1:]]
        check(files and rows[0][:4] == ["line", "project_no", "kind", "mark"]
              and lines == ["128", "130", "343", "344", "345", "417", "418", "419", "420", "452", "454"]
              and sum(1 for r in rows if r[3] == "【新規】") == 4,
              f"explorer: the downloaded CSV ({files}) has the page's 11 rows in line order")
        axe_js = os.environ.get("AXE_JS")
        if not axe_js:
            check(False, "explorer: AXE_JS (axe-core's axe.min.js) is not set: accessibility not checked")
            return
        axe = pathlib.Path(axe_js).read_text(encoding="utf-8")
        for path in ["/explore", "/explore/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87",
                     "/explore/program/dementia-rd", "/explore/project/4", "/explore/programs"]:
            driver.get(base + path)
            wait.until(ec.presence_of_element_located((By.ID, "main")))
            driver.execute_script(axe)
            result = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
                "v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))));")
            bad = [v for v in result if v["impact"] in ("serious", "critical")]
            check(not bad, f"explorer: axe-core on {path}: no serious or critical violation "
                           f"({len(result)} minor: {[v['id'] for v in result]}; serious: {bad})")
        csp_checks(driver, "the explorer")
    finally:
        driver.quit()


def reader_task_checks(base):
    """The reader's tasks of issue 23, as a person would do them in the browser."""
    import os
    import tempfile
    import time
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    downloads = tempfile.mkdtemp(prefix="medrd-reader-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1366,1000", "--lang=ja"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    visited = []
    try:
        wait = WebDriverWait(driver, 20)
        # 1. Who received AMED money in FY2023 and FY2024, and from which lines.
        driver.get(base + "/explore")
        box = wait.until(ec.element_to_be_clickable((By.ID, "q")))
        box.send_keys("日本医療研究開発機構")
        link = wait.until(ec.element_to_be_clickable(
            (By.XPATH, "//ol[@id='results']/li[span[@class='kind' and text()='支出先']]/a")))
        link.click()
        wait.until(ec.presence_of_element_located((By.ID, "years")))
        visited.append(driver.current_url)
        years = {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")[1].text
                 for r in driver.find_elements(By.CSS_SELECTOR, "#years tbody tr")}
        check(driver.current_url.endswith("/explore/recipient/9010005023796")
              and float(years.get("2023", "0")) > 0 and float(years.get("2024", "0")) > 0,
              f"reader: AMED found by name; FY2023 {years.get('2023')}億円, FY2024 {years.get('2024')}億円")
        lines = {}
        for r in driver.find_elements(By.CSS_SELECTOR, "#payments tbody tr"):
            cells = r.find_elements(By.TAG_NAME, "td")
            if cells[0].text in ("2023", "2024"):
                for a in cells[3].find_elements(By.TAG_NAME, "a"):
                    lines.setdefault(cells[0].text, set()).add(a.get_attribute("href"))
        check(len(lines.get("2023", ())) > 5 and len(lines.get("2024", ())) > 5,
              f"reader: the lines that paid AMED are linked ({len(lines.get('2023', ()))} in FY2023, "
              f"{len(lines.get('2024', ()))} in FY2024)")
        driver.find_element(By.XPATH, "//table[@id='payments']//a[starts-with(text(), 'RS 2958 ')]").click()
        wait.until(ec.presence_of_element_located((By.ID, "figures")))
        visited.append(driver.current_url)
        check("一括計上" in driver.find_element(By.CSS_SELECTOR, "p.note").text,
              "reader: the line 2958 says it is an aggregate of many programs")
        # 2. How 認知症研究開発事業's funding changed, and through which line.
        driver.get(base + "/explore/program/dementia-rd")
        visited.append(driver.current_url)
        section = wait.until(ec.presence_of_element_located(
            (By.XPATH, "//section[h2[@id='h-aggregate']]")))
        via = section.find_element(By.CSS_SELECTOR, "p.note a").text
        bars = section.find_elements(By.CSS_SELECTOR, "svg.chart a")
        titled = sorted({b.find_element(By.TAG_NAME, "title").get_attribute("textContent")[:4] for b in bars})
        check(via.startswith("RS 2958") and len(titled) >= 9,
              f"reader: 認知症研究開発事業 is funded through {via[:8]}, whose figures span {titled[:1]}–{titled[-1:]}")
        # 4. The source of a figure from its chart: hover shows it, a click opens it.
        bar = driver.find_element(By.CSS_SELECTOR, "#timeline-chart svg.chart a")
        title = bar.find_element(By.TAG_NAME, "title").get_attribute("textContent")
        ActionChains(driver).move_to_element(bar.find_element(By.TAG_NAME, "rect")).perform()
        bar.find_element(By.TAG_NAME, "rect").click()
        target = driver.current_url.split("#")[-1]
        cited = driver.find_element(By.ID, target).find_element(By.XPATH, "ancestor::tr").text
        check("10億円" in title and target == "L345" and "10億円" in cited,
              f"reader: the bar '{title}' opens its source line #{target}: {cited[-30:]!r}")
        # 3. Project 4's programs with amounts, as CSV.
        driver.get(base + "/explore/project/4")
        visited.append(driver.current_url)
        driver.find_element(By.XPATH, "//div[table[@id='programs']]/following-sibling::p[@class='dl']/a[text()='CSV']").click()
        deadline, files = time.time() + 20, []
        while time.time() < deadline and not files:
            files = [f for f in os.listdir(downloads) if f.endswith(".csv")]
            time.sleep(0.2)
        rows = []
        if files:
            with open(os.path.join(downloads, files[0]), encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        amounts = [r for r in rows if r.get("newest_oku_yen")]
        check(len(rows) > 20 and len(amounts) >= len(rows) // 3,
              f"reader: project 4's CSV has {len(rows)} programs, {len(amounts)} with an amount")
        reader_page_checks(driver, wait, base, visited)
    finally:
        driver.quit()


def reader_page_checks(driver, wait, base, visited):
    """axe-core and 390 px on the pages of the reader's tasks, the console and a raw /id page."""
    import os
    from selenium.webdriver.common.by import By

    axe_js = os.environ.get("AXE_JS")
    axe = pathlib.Path(axe_js).read_text(encoding="utf-8") if axe_js else None
    pages = [u[len(base):] for u in visited] + ["/explore/ministry/mhlw", "/explore/org/amed",
                                               "/explore/flow/program/dementia-rd?year=2017",
                                               "/explore", "/explore/programs",
                                               "/explore/theme/dementia", "/explore/line/review-sheet/2016/mhlw/0881",
                                               "/explore/search?q=2958",
                                               "/", "/id/rs/2958", "/id/program/dementia-rd"]
    for path in pages:
        driver.set_window_size(1366, 1000)
        driver.get(base + path)
        if axe:
            driver.execute_script(axe)
            result = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
                "v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))));")
            bad = [v for v in result if v["impact"] in ("serious", "critical")]
            check(not bad, f"reader: axe-core on {path}: no serious or critical violation ({bad})")
        else:
            check(False, "reader: AXE_JS is not set: accessibility not checked")
        driver.set_window_size(390, 844)
        driver.get(base + path)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        inner = driver.execute_script("return window.innerWidth")
        check(width <= inner, f"reader: {path} at {inner} px has no sideways scroll (content {width} px)")


def main():
    try:
        sparqlwrapper_reads_every_query_form()
    except Exception as e:
        check(False, f"sparqlwrapper_reads_every_query_form: {type(e).__name__}: {e}")
    proc, base = start_server()
    try:
        for run in (sparqlwrapper_checks, graph_clients_checks, graph_store_checks,
                    browser_checks, explorer_checks, reader_task_checks):
            try:
                run(base)
            except Exception as e:  # a client that cannot run is a failed check, said plainly
                check(False, f"{run.__name__}: {type(e).__name__}: {e}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"{len(passed)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
