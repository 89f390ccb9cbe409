//! `medrd serve` over loopback: the SPARQL 1.1 Protocol forms and formats, refusals and
//! limits, dereferencing, named queries, and agreement with `medrd query`. Servers run in
//! this process on a free port (127.0.0.1:0), except one test of the binary itself.

use medrd_kg::serve::Config;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Literal, NamedNode, Triple};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const DEMENTIA: &str = "https://w3id.org/medrd-kg/id/program/dementia-rd";
const LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const PART_OF_PROJECT: &str = "https://w3id.org/medrd-kg/ontology#partOfProject";
const PROJECTS_QUERY: &str = "PREFIX medrd: <https://w3id.org/medrd-kg/ontology#>
SELECT ?project WHERE { <https://w3id.org/medrd-kg/id/program/dementia-rd> medrd:partOfProject ?project } ORDER BY ?project";
const PROJECTS: [&str; 3] = [
    "https://w3id.org/medrd-kg/id/project/1",
    "https://w3id.org/medrd-kg/id/project/4",
    "https://w3id.org/medrd-kg/id/project/5",
];
const MAX_BODY: usize = 64 * 1024;

/// Starts a server in this process (it ends with the test process) and gives its address.
fn start(config: Config) -> SocketAddr {
    crate::util::serve(config)
}

fn loopback() -> Config {
    Config {
        max_body: MAX_BODY,
        ..crate::util::loopback()
    }
}

/// The shared server with the default settings (but a small body limit).
fn base_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| format!("http://{}", start(loopback())))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A response reduced to what the tests look at.
struct Reply {
    status: u16,
    content_type: String,
    headers: ureq::http::HeaderMap,
    body: String,
}

fn reply(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut r = r.expect("the request gets an answer");
    Reply {
        status: r.status().as_u16(),
        content_type: r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        headers: r.headers().clone(),
        body: r.body_mut().read_to_string().expect("a text body"),
    }
}

fn get(path: &str, accept: &str) -> Reply {
    reply(
        agent()
            .get(format!("{}{path}", base_url()))
            .header("Accept", accept)
            .call(),
    )
}

fn get_query(query: &str, accept: &str) -> Reply {
    reply(
        agent()
            .get(format!("{}/sparql", base_url()))
            .query("query", query)
            .header("Accept", accept)
            .call(),
    )
}

fn post_form(path: &str, form: &[(&str, &str)], accept: &str) -> Reply {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    reply(
        agent()
            .post(format!("{}{path}", base_url()))
            .header("Accept", accept)
            .content_type("application/x-www-form-urlencoded")
            .send(body),
    )
}

fn post_direct(path: &str, content_type: &str, body: &str, accept: &str) -> Reply {
    reply(
        agent()
            .post(format!("{}{path}", base_url()))
            .header("Accept", accept)
            .content_type(content_type)
            .send(body),
    )
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// The values of one variable in SPARQL JSON results, in order.
fn column(results: &serde_json::Value, var: &str) -> Vec<String> {
    results["results"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| b[var]["value"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn triples(body: &str, format: RdfFormat) -> HashSet<Triple> {
    RdfParser::from_format(format)
        .for_slice(body.as_bytes())
        .map(|q| Triple::from(q.unwrap_or_else(|e| panic!("bad RDF ({e}): {body}"))))
        .collect()
}

fn iri(s: &str) -> NamedNode {
    NamedNode::new(s).unwrap()
}

#[test]
fn the_three_protocol_forms_give_the_same_answer() {
    let accept = "application/sparql-results+json";
    let by_get = get_query(PROJECTS_QUERY, accept);
    let by_form = post_form("/sparql", &[("query", PROJECTS_QUERY)], accept);
    let by_body = post_direct("/query", "application/sparql-query", PROJECTS_QUERY, accept);
    for r in [&by_get, &by_form, &by_body] {
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.content_type, "application/sparql-results+json");
        assert_eq!(column(&json(&r.body), "project"), PROJECTS);
    }
}

#[test]
fn each_results_format_is_negotiated() {
    let r = get_query(PROJECTS_QUERY, "application/sparql-results+xml");
    assert_eq!(r.status, 200);
    assert!(
        r.content_type.starts_with("application/sparql-results+xml"),
        "{}",
        r.content_type
    );
    assert!(
        r.body
            .contains("<uri>https://w3id.org/medrd-kg/id/project/4</uri>"),
        "{}",
        r.body
    );

    let r = get_query(PROJECTS_QUERY, "text/csv");
    assert!(r.content_type.starts_with("text/csv"), "{}", r.content_type);
    let lines: Vec<&str> = r.body.lines().collect();
    assert_eq!(lines, ["project", PROJECTS[0], PROJECTS[1], PROJECTS[2]]);

    let r = get_query(PROJECTS_QUERY, "text/tab-separated-values");
    assert!(
        r.content_type.starts_with("text/tab-separated-values"),
        "{}",
        r.content_type
    );
    assert_eq!(
        r.body.lines().nth(2),
        Some("<https://w3id.org/medrd-kg/id/project/4>")
    );

    // The quality values decide, and `format=` overrides the Accept header.
    let r = get_query(
        PROJECTS_QUERY,
        "text/csv;q=0.5, application/sparql-results+json",
    );
    assert_eq!(r.content_type, "application/sparql-results+json");
    let r = get(
        &format!(
            "/sparql?format=csv&query={}",
            form_urlencoded::byte_serialize(PROJECTS_QUERY.as_bytes()).collect::<String>()
        ),
        "application/json",
    );
    assert!(r.content_type.starts_with("text/csv"), "{}", r.content_type);

    // Nothing acceptable: 406.
    let r = get_query(PROJECTS_QUERY, "image/png");
    assert_eq!(r.status, 406, "{}", r.body);
}

#[test]
fn ask_gives_a_boolean() {
    let q = format!("ASK {{ <{DEMENTIA}> <{LABEL}> \"認知症研究開発事業\"@ja }}");
    let r = get_query(&q, "application/sparql-results+json");
    assert_eq!(r.status, 200);
    assert_eq!(json(&r.body)["boolean"], serde_json::Value::Bool(true));
}

/// Graph Store Protocol reads: a named graph whole (as many triples as SPARQL counts in it),
/// the default graph as the union, 404 for a graph the store lacks, 405 for a write, and a
/// Graph Store request sent to /sparql is sent on to /store.
#[test]
fn graph_store_reads_a_graph_whole() {
    let g = "https://w3id.org/medrd-kg/graph/fy2024-request";
    let encoded: String = form_urlencoded::byte_serialize(g.as_bytes()).collect();
    let r = get(&format!("/store?graph={encoded}"), "application/n-triples");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.content_type.starts_with("application/n-triples"));
    let graph = triples(&r.body, RdfFormat::NTriples);
    let label = Triple::new(
        iri(DEMENTIA),
        iri(LABEL),
        Literal::new_language_tagged_literal_unchecked("認知症研究開発事業", "ja"),
    );
    assert!(graph.contains(&label));
    let count = get_query(
        &format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"),
        "text/csv",
    );
    let n: usize = count.body.lines().nth(1).unwrap().trim().parse().unwrap();
    assert_eq!(graph.len(), n);
    let via_sparql = get(&format!("/sparql?graph={encoded}"), "application/n-triples");
    assert_eq!(via_sparql.status, 200, "{}", via_sparql.body);
    assert_eq!(triples(&via_sparql.body, RdfFormat::NTriples), graph);
    // The union, on a store of the document alone (the RS editions make it 90k triples, which
    // a debug build takes seconds to serialise).
    let scratch = crate::util::Scratch::new("gsp-union");
    for edition in ["data/rs-2024", "data/rs-2025"] {
        std::fs::remove_dir_all(scratch.dir.join(edition)).unwrap();
    }
    let small = crate::util::serve_root(&scratch.dir, crate::util::loopback());
    let union = reply(
        agent()
            .get(format!("http://{small}/store?default"))
            .header("Accept", "text/turtle")
            .call(),
    );
    assert_eq!(union.status, 200, "{}", union.body);
    let union = triples(&union.body, RdfFormat::Turtle);
    assert!(union.contains(&label) && union.len() > graph.len());
    let missing = get(
        "/store?graph=https%3A%2F%2Fexample.org%2Fnone",
        "text/turtle",
    );
    assert_eq!(missing.status, 404, "{}", missing.body);
    let both = get(&format!("/store?graph={encoded}&default"), "text/turtle");
    assert_eq!(both.status, 400, "{}", both.body);
    let put = reply(
        agent()
            .put(format!("{}/store?default", base_url()))
            .header("Content-Type", "text/turtle")
            .send("<http://x/a> <http://x/b> <http://x/c> ."),
    );
    assert_eq!(put.status, 405, "{}", put.body);
    assert_eq!(put.headers.get("allow").unwrap(), "GET, HEAD");
}

#[test]
fn construct_in_each_rdf_syntax() {
    let q = format!("CONSTRUCT {{ <{DEMENTIA}> ?p ?o }} WHERE {{ <{DEMENTIA}> ?p ?o }}");
    let label = Triple::new(
        iri(DEMENTIA),
        iri(LABEL),
        Literal::new_language_tagged_literal_unchecked("認知症研究開発事業", "ja"),
    );
    for (accept, format) in [
        ("text/turtle", RdfFormat::Turtle),
        ("application/n-triples", RdfFormat::NTriples),
        ("application/rdf+xml", RdfFormat::RdfXml),
        (
            "application/ld+json",
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
        ),
        // The graph as a dataset's default graph, for clients that read quads.
        ("application/n-quads", RdfFormat::NQuads),
        ("application/trig", RdfFormat::TriG),
    ] {
        let r = get_query(&q, accept);
        assert_eq!(r.status, 200, "{accept}: {}", r.body);
        assert!(
            r.content_type.starts_with(accept),
            "{accept}: {}",
            r.content_type
        );
        let graph = triples(&r.body, format);
        assert!(graph.contains(&label), "{accept}: {}", r.body);
        for p in PROJECTS {
            assert!(
                graph.contains(&Triple::new(iri(DEMENTIA), iri(PART_OF_PROJECT), iri(p))),
                "{accept}: {p}"
            );
        }
    }
    // Turtle is the default for graphs.
    let r = get_query(&q, "*/*");
    assert!(
        r.content_type.starts_with("text/turtle"),
        "{}",
        r.content_type
    );
}

#[test]
fn updates_are_refused() {
    let update = format!("INSERT DATA {{ <{DEMENTIA}> <{LABEL}> \"changed\" }}");
    for r in [
        post_direct("/sparql", "application/sparql-update", &update, "*/*"),
        post_form("/sparql", &[("update", &update)], "*/*"),
        get(
            &format!(
                "/sparql?update={}",
                form_urlencoded::byte_serialize(update.as_bytes()).collect::<String>()
            ),
            "*/*",
        ),
    ] {
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(r.body.contains("read-only"), "{}", r.body);
    }
    // An update sent as a query is a syntax error, and nothing changed.
    let r = post_form("/sparql", &[("query", &update)], "*/*");
    assert_eq!(r.status, 400);
    let r = get_query(
        &format!("ASK {{ <{DEMENTIA}> <{LABEL}> \"changed\" }}"),
        "application/json",
    );
    assert_eq!(json(&r.body)["boolean"], serde_json::Value::Bool(false));
}

#[test]
fn a_malformed_query_gets_400_with_the_parser_message() {
    let r = get_query("SELECT ?x WHERE { ?x ?p }", "application/json");
    assert_eq!(r.status, 400);
    assert!(r.content_type.starts_with("text/plain"));
    assert!(
        r.body.starts_with("malformed query: error at 1:"),
        "{}",
        r.body
    );

    let r = post_form("/sparql", &[("nothing", "here")], "*/*");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("missing `query`"), "{}", r.body);

    let r = post_direct("/sparql", "text/plain", PROJECTS_QUERY, "*/*");
    assert_eq!(r.status, 415, "{}", r.body);
}

/// Sends raw bytes and returns the status line and the whole answer.
fn raw(request: &[u8], then: &[u8]) -> String {
    let addr = base_url().trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request).unwrap();
    // The server may answer and close before it has read all: a failed write is fine.
    let _ = stream.write_all(then);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn an_oversized_body_gets_413() {
    let big = format!("query={}", "x".repeat(MAX_BODY * 2));
    // Declared too large by Content-Length.
    let head = format!(
        "POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        big.len()
    );
    let answer = raw(head.as_bytes(), big.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("at most 65536 bytes"), "{answer}");

    // Found too large while reading a chunked body.
    let head = "POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    let mut chunks = Vec::new();
    for _ in 0..4 {
        let chunk = "#".repeat(32 * 1024);
        chunks.extend_from_slice(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
    }
    chunks.extend_from_slice(b"0\r\n\r\n");
    let answer = raw(head.as_bytes(), &chunks);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[test]
fn entity_iris_dereference_to_turtle_json_ld_and_html() {
    let r = get("/id/program/dementia-rd", "text/turtle");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.content_type.starts_with("text/turtle"));
    assert_eq!(r.headers.get("vary").unwrap(), "Accept");
    let graph = triples(&r.body, RdfFormat::Turtle);
    let label = Triple::new(
        iri(DEMENTIA),
        iri(LABEL),
        Literal::new_language_tagged_literal_unchecked("認知症研究開発事業", "ja"),
    );
    assert!(graph.contains(&label), "{}", r.body);
    for p in PROJECTS {
        assert!(
            graph.contains(&Triple::new(iri(DEMENTIA), iri(PART_OF_PROJECT), iri(p))),
            "{p}"
        );
    }
    // What points at it comes too (the listings of the program in the document).
    assert!(
        graph.iter().any(|t| t.object == iri(DEMENTIA).into()),
        "{}",
        r.body
    );

    let r = get("/id/program/dementia-rd", "application/ld+json");
    assert!(
        r.content_type.starts_with("application/ld+json"),
        "{}",
        r.content_type
    );
    assert!(triples(
        &r.body,
        RdfFormat::JsonLd {
            profile: Default::default()
        }
    )
    .contains(&label));

    let r = get(
        "/id/program/dementia-rd",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    );
    assert_eq!(r.status, 200);
    assert!(
        r.content_type.starts_with("text/html"),
        "{}",
        r.content_type
    );
    assert!(r.body.contains("<h1>認知症研究開発事業</h1>"), "{}", r.body);
    assert!(r.body.contains("Dementia Research and Development Program"));
    assert!(
        r.body.contains("href=\"/id/project/4\""),
        "links stay on this server"
    );

    let r = get("/id/program/no-such-program", "text/turtle");
    assert_eq!(r.status, 404);
    assert!(
        r.body
            .contains("no resource <https://w3id.org/medrd-kg/id/program/no-such-program>"),
        "{}",
        r.body
    );
}

#[test]
fn named_queries_run_by_name() {
    let r = get(
        "/queries/program-projects",
        "application/sparql-results+json",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let results = json(&r.body);
    let programs = column(&results, "program");
    let numbers = column(&results, "project_no");
    let dementia: Vec<&str> = programs
        .iter()
        .zip(&numbers)
        .filter(|(p, _)| p.as_str() == "dementia-rd")
        .map(|(_, n)| n.as_str())
        .collect();
    assert_eq!(dementia, ["1", "4", "5"]);

    let r = get("/queries/program-projects", "text/csv");
    assert!(
        r.body
            .starts_with("program,program_ja,program_en,project_no"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("dementia-rd,認知症研究開発事業,"),
        "{}",
        r.body
    );

    let list = json(&get("/queries", "application/json").body);
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == "program-projects")
        .expect("listed");
    assert!(!entry["summary"].as_str().unwrap().is_empty());

    let r = get("/queries/no-such-query", "*/*");
    assert_eq!(r.status, 404);
    assert!(
        r.body.contains("program-projects"),
        "the message lists the names: {}",
        r.body
    );
}

#[test]
fn json_results_match_medrd_query() {
    let q = format!("SELECT ?p ?o WHERE {{ <{DEMENTIA}> ?p ?o }} ORDER BY ?p ?o");
    let served = json(&get_query(&q, "application/sparql-results+json").body);
    let out = crate::util::command()
        .args(["--root", ROOT, "query", "--sparql", &q, "--format", "json"])
        .output()
        .expect("medrd query runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = json(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(served["head"], printed["head"]);
    let bindings = |v: &serde_json::Value| -> Vec<String> {
        let mut b: Vec<String> = v["results"]["bindings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.to_string())
            .collect();
        b.sort();
        b
    };
    assert_eq!(bindings(&served), bindings(&printed));
    assert!(bindings(&served).len() >= 10);
}

#[test]
fn service_description_cors_health_page_and_404() {
    let r = get("/sparql", "text/turtle");
    assert_eq!(r.status, 200);
    let sd = triples(&r.body, RdfFormat::Turtle);
    let endpoint = iri(&format!("{}/sparql", base_url()));
    assert!(
        sd.contains(&Triple::new(
            endpoint.clone(),
            iri("http://www.w3.org/ns/sparql-service-description#endpoint"),
            endpoint
        )),
        "{}",
        r.body
    );

    // A browser opening the endpoint is sent to the query page.
    let r = get(
        "/sparql",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("名前付きクエリ"), "{}", r.body);

    let preflight = reply(
        agent()
            .options(format!("{}/sparql", base_url()))
            .header("Origin", "https://example.org")
            .header("Access-Control-Request-Method", "POST")
            .call(),
    );
    // Answered by tower-http's CORS layer (an ok status, as Fetch asks of a preflight).
    assert_eq!(preflight.status, 200);
    assert!(preflight
        .headers
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("content-type"));
    assert_eq!(
        preflight
            .headers
            .get("access-control-allow-origin")
            .unwrap(),
        "*"
    );
    assert!(preflight
        .headers
        .get("access-control-allow-methods")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("POST"));
    let r = get_query(PROJECTS_QUERY, "application/json");
    assert_eq!(r.headers.get("access-control-allow-origin").unwrap(), "*");

    // The graphs are counted on a thread of their own as the server starts: null until then.
    let counted = Instant::now();
    let health = loop {
        let health = json(&get("/health", "*/*").body);
        assert_eq!(health["status"], "ok");
        if !health["triples"].is_null() || counted.elapsed() > Duration::from_secs(60) {
            break health;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(health["triples"]["data"].as_u64().unwrap() > 1000);

    let page = get("/", "text/html");
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.body.contains("名前付きクエリ") && page.body.contains("Named queries"));
    // No external assets: the script and style are this server's (no inline code: its CSP).
    assert!(
        page.body
            .contains("<script src=\"/assets/console.js\"></script>")
            && page.body.contains("href=\"/assets/console.css\""),
        "{}",
        page.body
    );
    let script = get("/assets/console.js", "*/*");
    assert_eq!(script.status, 200);
    assert!(script.content_type.starts_with("text/javascript"));
    assert!(script.body.contains("function safeHref"));

    let r = get("/no/such/page", "*/*");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("no such page: /no/such/page"), "{}", r.body);
}

#[test]
fn diagrams_are_served() {
    let r = get("/diagram/project/1?format=dot", "*/*");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("digraph"), "{}", r.body);
    let r = get("/diagram/no-such-kind", "*/*");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("unknown diagram"), "{}", r.body);
    // The timeline chart: SVG without Graphviz, in English on request.
    let r = get(
        "/diagram/timeline/program/medical-device-seeds?lang=en",
        "*/*",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.content_type, "image/svg+xml");
    assert!(
        r.body
            .contains("Deployment of Research Results for Medical Devices — budget over the years"),
        "{}",
        r.body
    );
    let r = get(
        "/diagram/timeline/program/medical-device-seeds?format=dot",
        "*/*",
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("drawn as SVG only"), "{}", r.body);
    let r = get("/diagram/timeline/program/no-such-program", "*/*");
    assert_eq!(r.status, 404);
    assert!(
        r.body.contains("no program \"no-such-program\""),
        "{}",
        r.body
    );
}

#[test]
fn answers_over_the_limit_are_refused_and_base_rewrites_dereferenced_iris() {
    let addr = start(Config {
        max_results: 5,
        base: "https://mirror.example/kg/".into(),
        ..loopback()
    });
    let r = reply(
        agent()
            .get(format!("http://{addr}/sparql"))
            .query("query", "SELECT * WHERE { ?s ?p ?o }")
            .header("Accept", "application/json")
            .call(),
    );
    // Over the limit, refused whole (a cut answer would pass for the whole one with
    // standard clients, which read no header that says so), naming the limit and the way.
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(r.body.contains("more than 5 rows"), "{}", r.body);
    assert!(r.body.contains("LIMIT 5 and OFFSET"), "{}", r.body);
    let r = reply(
        agent()
            .get(format!("http://{addr}/sparql"))
            .query("query", "CONSTRUCT WHERE { ?s ?p ?o }")
            .header("Accept", "text/turtle")
            .call(),
    );
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(r.body.contains("more than 5 triples"), "{}", r.body);
    // At the limit, the whole answer.
    let r = reply(
        agent()
            .get(format!("http://{addr}/sparql"))
            .query("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 5")
            .header("Accept", "application/json")
            .call(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        json(&r.body)["results"]["bindings"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert!(r.headers.get("medrd-results-truncated").is_none());

    let r = reply(
        agent()
            .get(format!("http://{addr}/id/program/dementia-rd"))
            .header("Accept", "text/turtle")
            .call(),
    );
    let graph = triples(&r.body, RdfFormat::Turtle);
    let mirror = iri("https://mirror.example/kg/id/program/dementia-rd");
    assert!(graph.contains(&Triple::new(
        mirror.clone(),
        iri("http://www.w3.org/2002/07/owl#sameAs"),
        iri(DEMENTIA)
    )));
    assert!(graph.contains(&Triple::new(
        mirror,
        iri("https://mirror.example/kg/ontology#partOfProject"),
        iri("https://mirror.example/kg/id/project/4")
    )));

    // A resource that thousands of statements point to (the RS 2025 edition, the
    // dcterms:source of every record) is described with the first --max-results of them,
    // said in the page and in the header, not gathered whole.
    let rs = "https://w3id.org/medrd-kg/id/source/rs-2025";
    let r = reply(
        agent()
            .get(format!("http://{addr}/sparql"))
            .query(
                "query",
                format!("SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p <{rs}> }}"),
            )
            .header("Accept", "application/json")
            .call(),
    );
    let total: usize = json(&r.body)["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(total > 4000, "{total}");
    let r = reply(
        agent()
            .get(format!("http://{addr}/id/source/rs-2025"))
            .header("Accept", "text/turtle")
            .call(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.headers.get("medrd-results-truncated").unwrap(), "true");
    let graph = triples(&r.body, RdfFormat::Turtle);
    let mirrored = iri("https://mirror.example/kg/id/source/rs-2025");
    assert_eq!(
        graph
            .iter()
            .filter(|t| t.object == mirrored.clone().into())
            .count(),
        5
    );
    let r = reply(
        agent()
            .get(format!("http://{addr}/id/source/rs-2025"))
            .header("Accept", "text/html")
            .call(),
    );
    // Counted up to ten pages' worth (counting them all would take as long as reading them),
    // with the query of the next page linked.
    assert!(r.body.contains("5 of more than 50 shown"), "{}", r.body);
    assert!(
        r.body.contains(&format!(
            "?s ?p &lt;{rs}&gt; }} ORDER BY ?s ?p LIMIT 5 OFFSET 5"
        )),
        "{}",
        r.body
    );
    // Under the limit (the default 10,000) nothing is cut.
    assert!(total <= 10_000, "{total}");
    let r = get("/id/source/rs-2025", "text/turtle");
    assert!(r.headers.get("medrd-results-truncated").is_none());
    let graph = triples(&r.body, RdfFormat::Turtle);
    assert_eq!(
        graph.iter().filter(|t| t.object == iri(rs).into()).count(),
        total
    );
}

/// Kills the spawned binary however the test ends.
struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the `medrd serve` binary with `args` on a free loopback port; gives the process
/// and the address it printed.
fn spawn_binary(args: &[&str]) -> (Spawned, String) {
    let child = crate::util::command()
        .args(["--root", ROOT, "serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("medrd serve starts");
    let mut child = Spawned(child);
    let stderr = child.0.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.split('/').next().unwrap().to_owned());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the address on stderr");
    crate::util::wait_ready(addr.parse().expect("a socket address"));
    (child, addr)
}

#[test]
fn the_binary_prints_its_address_and_times_queries_out() {
    let (_child, addr) = spawn_binary(&["--timeout", "1"]);
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");

    let health = reply(agent().get(format!("http://{addr}/health")).call());
    assert_eq!(health.status, 200);

    // A cross product of the store with itself, three times: far more than a second.
    let started = Instant::now();
    let r = reply(
        agent()
            .get(format!("http://{addr}/sparql"))
            .query(
                "query",
                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            )
            .call(),
    );
    let took = started.elapsed();
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("timed out"), "{}", r.body);
    assert!(took < Duration::from_secs(5), "answered after {took:?}");

    // The server still answers after a timeout.
    let r = reply(
        agent()
            .get(format!("http://{addr}/sparql"))
            .query("query", PROJECTS_QUERY)
            .call(),
    );
    assert_eq!(column(&json(&r.body), "project"), PROJECTS);
}

#[test]
fn the_ontology_document_is_served() {
    let r = get("/ontology", "text/turtle");
    assert_eq!(r.status, 200, "{}", r.body);
    let graph = triples(&r.body, RdfFormat::Turtle);
    assert!(graph.contains(&Triple::new(
        iri("https://w3id.org/medrd-kg/ontology#Program"),
        iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        iri("http://www.w3.org/2002/07/owl#Class"),
    )));
    let r = get("/ontology", "text/html");
    assert!(r.content_type.starts_with("text/html"));
    assert!(
        r.body.contains("<h2 id=\"Program\">"),
        "one anchor per term"
    );
    // Entity pages link the ontology terms to it.
    let r = get("/id/program/dementia-rd", "text/html");
    assert!(r.body.contains("href=\"/ontology#partOfProject\""));
}

/// Connects to `addr`, sends `request` and reads until the server closes (or 20 s pass);
/// gives what was read and how long the server took to close.
fn send_and_wait(addr: SocketAddr, request: &[u8]) -> (String, Duration) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn slow_and_idle_clients_are_closed_after_the_header_timeout() {
    let addr = start(Config {
        header_timeout: Duration::from_millis(500),
        ..loopback()
    });
    // Half a request, never finished.
    let (answer, took) = send_and_wait(addr, b"GET /health HTTP/1.1\r\nHost: x\r\n");
    assert!(
        took < Duration::from_secs(5),
        "closed after {took:?}: {answer}"
    );
    assert!(!answer.contains("200 OK"), "{answer}");
    // An idle kept-alive connection, after one answered request.
    let (answer, took) = send_and_wait(addr, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(took < Duration::from_secs(5), "closed after {took:?}");
    // Headers in, then part of the body and nothing more: 408 within the same limit.
    let (answer, took) = send_and_wait(
        addr,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK",
    );
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
}

#[test]
fn connections_are_bounded_idle_ones_make_room_and_health_answers() {
    let addr = start(Config {
        max_connections: 3,
        header_timeout: Duration::from_secs(60),
        timeout: Duration::from_secs(3),
        ..loopback()
    });
    // All connections taken by idle half-requests: a new client is served, and the oldest
    // idle one is closed to make room.
    let mut idle: Vec<TcpStream> = (0..3)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /health HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (answer, took) = send_and_wait(
        addr,
        b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(took < Duration::from_secs(2), "answered after {took:?}");
    idle[0]
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut buf = [0u8; 64];
    let closed = match idle[0].read(&mut buf) {
        Ok(n) => n == 0,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    };
    assert!(closed, "the oldest idle connection is closed");
    idle.clear();
    std::thread::sleep(Duration::from_millis(300));

    // All connections busy with requests: a new one is told 503 and closed at once. Busy
    // means a request in progress: here a query whose body is still coming (a slow query
    // would not do: the lanes may answer it 503 at once, leaving its connection idle).
    let busy: Vec<TcpStream> = (0..3)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK",
            )
            .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let (answer, took) = send_and_wait(
        addr,
        b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("too many connections"), "{answer}");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(
        head.contains(&format!("Content-Length: {}", body.len())),
        "{answer}"
    );
    assert!(took < Duration::from_secs(2), "refused after {took:?}");
    drop(busy);
    // Once those clients are gone, /health answers on a fresh connection.
    std::thread::sleep(Duration::from_secs(1));
    let health = reply(agent().get(format!("http://{addr}/health")).call());
    assert_eq!(health.status, 200, "{}", health.body);
}

#[test]
fn invalid_utf8_in_a_query_string_or_form_is_refused() {
    let query = "SELECT%20%3Fx%20WHERE%20%7B%20BIND(%22%FF%22%20AS%20%3Fx)%20%7D";
    let r = reply(
        agent()
            .get(format!("{}/sparql?query={query}", base_url()))
            .call(),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("not valid UTF-8"), "{}", r.body);
    let r = reply(
        agent()
            .post(format!("{}/sparql", base_url()))
            .content_type("application/x-www-form-urlencoded")
            .send(format!("query={query}")),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("form body is not valid UTF-8"),
        "{}",
        r.body
    );
    // A query body declared in another charset (W3C protocol test bad_query_non_utf8).
    let r = post_direct(
        "/sparql",
        "application/sparql-query; charset=UTF-16",
        "ASK {}",
        "*/*",
    );
    assert_eq!(r.status, 415, "{}", r.body);
}

#[test]
fn a_malformed_chunk_size_is_a_bad_request() {
    let head = "POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    let answer = raw(head.as_bytes(), b"zz\r\nASK {}\r\n0\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
}

#[test]
fn relative_iris_resolve_against_the_endpoint_url() {
    let r = post_direct(
        "/sparql",
        "application/sparql-query",
        "CONSTRUCT { <s> <p> 1 } WHERE {}",
        "application/n-triples",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let host = base_url().trim_start_matches("http://");
    assert_eq!(
        r.body.trim(),
        format!("<http://{host}/s> <http://{host}/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .")
    );
    // A BASE in the query wins.
    let r = get_query(
        "BASE <http://example.org/> SELECT ?x WHERE { BIND(<a> AS ?x) }",
        "application/sparql-results+json",
    );
    assert_eq!(column(&json(&r.body), "x"), ["http://example.org/a"]);
}

#[test]
fn format_parameters_of_sparqlwrapper_fall_back_to_accept() {
    let construct = format!(
        "PREFIX medrd: <https://w3id.org/medrd-kg/ontology#> CONSTRUCT {{ <{DEMENTIA}> medrd:partOfProject ?p }} WHERE {{ <{DEMENTIA}> medrd:partOfProject ?p }}"
    );
    let expected: HashSet<Triple> = PROJECTS
        .iter()
        .map(|p| Triple::new(iri(DEMENTIA), iri(PART_OF_PROJECT), iri(p)))
        .collect();
    let ask = |format: &str, accept: &str| {
        reply(
            agent()
                .get(format!("{}/sparql", base_url()))
                .query("query", &construct)
                .query("format", format)
                .header("Accept", accept)
                .call(),
        )
    };
    // SPARQLWrapper's default for CONSTRUCT: format=xml and Accept: application/rdf+xml.
    let r = ask("xml", "application/rdf+xml");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.content_type, "application/rdf+xml");
    assert_eq!(triples(&r.body, RdfFormat::RdfXml), expected);
    for (format, accept) in [
        ("rdf+xml", "application/rdf+xml"),
        ("application/rdf+xml", "*/*"),
    ] {
        let r = ask(format, accept);
        assert_eq!(r.content_type, "application/rdf+xml", "{format}");
        assert_eq!(triples(&r.body, RdfFormat::RdfXml), expected);
    }
    let r = ask("n3", "text/n3");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.content_type.starts_with("text/turtle"),
        "{}",
        r.content_type
    );
    assert_eq!(triples(&r.body, RdfFormat::Turtle), expected);
    // A format that fits no graph syntax: the Accept header decides.
    let r = ask("csv", "application/n-triples");
    assert_eq!(r.content_type, "application/n-triples");
    assert_eq!(triples(&r.body, RdfFormat::NTriples), expected);
    // format=xml on a SELECT still means SPARQL results XML.
    let r = reply(
        agent()
            .get(format!("{}/sparql", base_url()))
            .query("query", PROJECTS_QUERY)
            .query("format", "xml")
            .call(),
    );
    assert_eq!(r.content_type, "application/sparql-results+xml");
    let r = ask("nonsense", "*/*");
    assert_eq!(r.status, 400, "{}", r.body);
}

#[test]
fn service_is_refused_unless_the_server_allows_it() {
    let remote = base_url().to_owned();
    let query = format!(
        "PREFIX medrd: <https://w3id.org/medrd-kg/ontology#> SELECT ?project WHERE {{ SERVICE <{remote}/sparql> {{ <{DEMENTIA}> medrd:partOfProject ?project }} }} ORDER BY ?project"
    );
    let r = get_query(&query, "application/sparql-results+json");
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("--allow-service"), "{}", r.body);
    let allowed = start(Config {
        allow_service: true,
        ..loopback()
    });
    let r = reply(
        agent()
            .get(format!("http://{allowed}/sparql"))
            .query("query", &query)
            .call(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(column(&json(&r.body), "project"), PROJECTS);
}

fn health_at(addr: SocketAddr) -> Reply {
    reply(agent().get(format!("http://{addr}/health")).call())
}

const PRODUCT_ORDER_BY: &str =
    "SELECT * WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i} ORDER BY ?c ?f ?i LIMIT 1";

fn sparql_at(addr: SocketAddr, query: &str) -> Reply {
    reply(
        agent()
            .get(format!("http://{addr}/sparql"))
            .query("query", query)
            .call(),
    )
}

/// Issue 10, defect 2: a query cancelled at its time limit went on evaluating (sorting,
/// deduplicating, combining what it had read) and kept its query slot for minutes. With one
/// slot, the next query must get it: the cancelled one has stopped.
#[test]
fn a_query_cancelled_at_its_time_limit_stops_and_frees_its_slot() {
    let addr = start(Config {
        timeout: Duration::from_secs(1),
        max_concurrent: 1,
        ..loopback()
    });
    for query in [
        PRODUCT_ORDER_BY,
        "SELECT (COUNT(DISTINCT *) AS ?n) WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i}",
        "SELECT ?c (COUNT(*) AS ?n) WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i} GROUP BY ?c",
        "SELECT * WHERE {?a ?b ?c.?d ?e ?f} ORDER BY ?c ?f LIMIT 1",
    ] {
        let r = sparql_at(addr, query);
        assert_eq!(r.status, 503, "{query}: {}", r.body);
        assert!(r.body.contains("timed out"), "{}", r.body);
        // It stops and gives its slot back: in seconds, not the minutes of the defect (on
        // a loaded machine unwinding takes a while: the next heavy query, wanting the one
        // long slot, would be refused "long queries busy" in the meantime).
        let started = Instant::now();
        while json(&health_at(addr).body)["querySlots"]["inUse"] != 0 {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{query} still holds its slot 10 s after its time limit"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let r = sparql_at(addr, PROJECTS_QUERY);
        assert_eq!(r.status, 200, "after {query}: {}", r.body);
        assert_eq!(column(&json(&r.body), "project"), PROJECTS);
    }
}

/// Issue 10, defect 3: with every query slot taken, queries got 503 "busy" while /health
/// said 200 "ok". Issue 19, item 6: /health reports the requests waiting in each lane; a
/// flood of heavy queries fills the new and long lanes and makes them wait, which /health
/// reports without calling the server busy (busy: a request waited a second for a cheap
/// slot, tested in src/serve/lanes.rs); it answers at once throughout, and after.
#[test]
fn health_reports_waiting_requests_and_answers_at_once() {
    let addr = start(Config {
        timeout: Duration::from_secs(3),
        max_concurrent: 1,
        long_after: Duration::from_secs(3600),
        ..loopback()
    });
    let health = || reply(agent().get(format!("http://{addr}/health")).call());
    assert_eq!(health().status, 200);
    let running = std::thread::spawn(move || sparql_at(addr, PRODUCT_ORDER_BY));
    let started = Instant::now();
    while json(&health().body)["querySlots"]["new"]["inUse"] != 1 {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "the query did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let waiting = std::thread::spawn(move || sparql_at(addr, SECOND_PRODUCT));
    let started = Instant::now();
    while json(&health().body)["querySlots"]["new"]["waiting"] != 1 {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{}",
            health().body
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let h = health();
    assert_eq!(h.status, 200, "{}", h.body);
    let body = json(&h.body);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["querySlots"]["new"]["inUse"], 1);
    assert_eq!(body["querySlots"]["cheap"]["inUse"], 0);
    assert_eq!(running.join().unwrap().status, 503);
    assert_eq!(waiting.join().unwrap().status, 503);
    let started = Instant::now();
    let after = loop {
        let h = health();
        if json(&h.body)["querySlots"]["inUse"] == 0 || started.elapsed() > Duration::from_secs(2) {
            break h;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(after.status, 200, "{}", after.body);
    assert_eq!(json(&after.body)["status"], "ok");
    assert_eq!(json(&after.body)["querySlots"]["inUse"], 0);
}

const SECOND_PRODUCT: &str = "SELECT * WHERE {?a ?b ?c.?d ?e ?f} ORDER BY ?c ?f LIMIT 1";

/// Issue 19, item 6: one heavy query took every slot (with one slot: /health 503, cheap
/// queries 503 "busy"). A query that has run long moves to the long lane; while it runs,
/// /health says ok, cheap queries answer, and a second long query is stopped at once (503
/// "long queries busy") rather than taking the slots of the others. Both are remembered:
/// sent again, they wait for the long lane from the start.
#[test]
fn long_queries_take_the_long_lane_and_leave_the_others_answering() {
    let addr = start(Config {
        timeout: Duration::from_secs(6),
        max_concurrent: 1,
        long_after: Duration::from_millis(20),
        ..loopback()
    });
    let health = || json(&reply(agent().get(format!("http://{addr}/health")).call()).body);
    let r = sparql_at(addr, PROJECTS_QUERY);
    assert_eq!(r.status, 200, "{}", r.body);
    let running = std::thread::spawn(move || sparql_at(addr, PRODUCT_ORDER_BY));
    let started = Instant::now();
    while health()["querySlots"]["long"]["inUse"] != 1 {
        assert!(started.elapsed() < Duration::from_secs(10), "{}", health());
        std::thread::sleep(Duration::from_millis(20));
    }
    let h = health();
    assert_eq!(h["status"], "ok", "{h}");
    assert_eq!(h["querySlots"]["new"]["inUse"], 0, "{h}");
    let second = sparql_at(addr, SECOND_PRODUCT);
    assert_eq!(second.status, 503, "{}", second.body);
    assert!(second.body.contains("long queries busy"), "{}", second.body);
    for _ in 0..5 {
        let r = sparql_at(addr, PROJECTS_QUERY);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(column(&json(&r.body), "project"), PROJECTS);
    }
    assert_eq!(health()["status"], "ok");
    // Sent again while the first runs, the second waits for the long lane (as waiting, not
    // as busy: the others are served).
    let again = std::thread::spawn(move || sparql_at(addr, SECOND_PRODUCT));
    let started = Instant::now();
    while health()["querySlots"]["long"]["waiting"] != 1 {
        assert!(started.elapsed() < Duration::from_secs(5), "{}", health());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(health()["querySlots"]["new"]["inUse"], 0);
    assert_eq!(running.join().unwrap().status, 503);
    assert_eq!(again.join().unwrap().status, 503);
}

/// Issue 10, defect 4, over HTTP: was a 500 with the panic text. Over the document's and an
/// RS edition's graphs (strings, language strings, decimals, integers, years): every literal
/// of the store, with the review sheets, no longer sorts within a default 5 s in a debug build.
#[test]
fn order_by_over_mixed_literals_is_answered() {
    let r = get_query(
        "SELECT ?o WHERE { VALUES ?g { <https://w3id.org/medrd-kg/graph/fy2024-request>
           <https://w3id.org/medrd-kg/graph/rs-2024> } GRAPH ?g {?s ?p ?o} FILTER(isLiteral(?o))} ORDER BY ?o LIMIT 10000",
        "application/sparql-results+json",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!column(&json(&r.body), "o").is_empty());
}

/// Issue 10, defect 2: the server's heap is bounded. A query that would sort a cross
/// product for a minute is stopped when the process holds more than --max-memory, with a
/// 503 that says so, and the memory is given back.
#[test]
fn the_binary_stops_queries_at_its_memory_limit() {
    let (_child, addr) = spawn_binary(&["--timeout", "120", "--max-memory", "256"]);
    let addr: SocketAddr = addr.parse().unwrap();
    let heap = || {
        let h = reply(agent().get(format!("http://{addr}/health")).call());
        assert_eq!(h.status, 200, "{}", h.body);
        json(&h.body)["memory"]["allocatedBytes"].as_u64().unwrap()
    };
    // What the server holds before (the store, the explorer's answers read ahead).
    let before = heap();
    let started = Instant::now();
    let r = sparql_at(addr, PRODUCT_ORDER_BY);
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("memory limit of 256 MiB"), "{}", r.body);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "stopped by the memory limit, not the time limit"
    );
    let held = heap();
    assert!(
        held < before + (32 << 20),
        "the stopped query's memory is freed: {held} bytes held, {before} before it"
    );
    let r = sparql_at(addr, PROJECTS_QUERY);
    assert_eq!(column(&json(&r.body), "project"), PROJECTS);

    let run = crate::util::medrd(&["serve", "--max-memory", "0"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--max-memory 0"), "{}", run.stderr);
}

/// The targets of every `href`, `src`, `action` and `xlink:href` attribute of a page.
fn link_targets(html: &str) -> Vec<String> {
    let attr =
        regex::Regex::new(r#"(?i)\s(?:xlink:)?(?:href|src|action)\s*=\s*"([^"]*)""#).unwrap();
    attr.captures_iter(html)
        .map(|c| {
            c[1].replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
        })
        .collect()
}

/// Issue 19, item 5: a `javascript:` IRI (in `--with` data, or in a query's results) became
/// a link that ran script when clicked. Only http(s) IRIs and this server's paths become
/// links, on every page; the others are shown as text.
#[test]
fn iris_that_are_not_http_are_never_links() {
    let dir = std::env::temp_dir().join(format!("medrd-test-{}-hostile-iris", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("hostile.ttl");
    std::fs::write(
        &file,
        format!(
            "<{DEMENTIA}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> \
             <javascript:void(document.title=document.domain)>, <data:text/html,hi>, \
             <JavaScript:alert(1)>, <vbscript:x>, <https://example.org/fine> .\n\
             <javascript:alert(2)> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{DEMENTIA}> .\n\
             <{DEMENTIA}> <javascript:alert(3)> \"x\" .\n"
        ),
    )
    .unwrap();
    let layout = medrd_kg::Layout {
        with: vec![file],
        ..medrd_kg::Layout::new(ROOT)
    };
    let addr = crate::util::serve_layout(layout, loopback());
    let html = |path: &str| {
        let r = reply(
            agent()
                .get(format!("http://{addr}{path}"))
                .header("Accept", "text/html")
                .call(),
        );
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        r.body
    };
    let page = html("/id/program/dementia-rd");
    for shown in [
        "javascript:void(document.title=document.domain)",
        "data:text/html,hi",
        "JavaScript:alert(1)",
        "javascript:alert(2)",
        "javascript:alert(3)",
    ] {
        assert!(page.contains(shown), "{shown} is not shown: {page}");
    }
    assert!(page.contains("href=\"https://example.org/fine\""), "{page}");
    let mut checked = 0;
    for path in [
        "/id/program/dementia-rd",
        "/ontology",
        "/",
        "/explore",
        "/explore/programs",
        "/explore/program/dementia-rd",
        "/explore/project/1",
        "/explore/ministry/mhlw",
        "/explore/theme/dementia",
        "/explore/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87",
    ] {
        for target in link_targets(&html(path)) {
            // Fragments and this page's own query string (`?format=ttl`) stay on the page.
            if target.starts_with('#') || target.starts_with('?') {
                continue;
            }
            assert_eq!(
                medrd_kg::markup::link_target(&target),
                Some(target.as_str()),
                "{path} links to {target:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 19, item 5: every answer carries a Content-Security-Policy that runs only this
/// server's scripts (no inline script, no `javascript:` URL, no framing), with nosniff and
/// X-Frame-Options; and no page has inline script, an event handler attribute or a style
/// attribute that the policy would block (the pages work under it: scripts/ci_clients.py).
#[test]
fn every_answer_carries_the_security_headers_and_pages_have_no_inline_code() {
    let inline_script = regex::Regex::new(r"(?i)<script(\s[^>]*)?>\s*[^<\s]").unwrap();
    let script_without_src = regex::Regex::new(r"(?i)<script(?:\s[^>]*)?>").unwrap();
    let handler = regex::Regex::new(r#"(?i)<[^>]*\son[a-z]+\s*="#).unwrap();
    let style = regex::Regex::new(r#"(?i)<[^>]*\sstyle\s*="#).unwrap();
    let query = form_urlencoded::byte_serialize(PROJECTS_QUERY.as_bytes()).collect::<String>();
    let mut pages = 0;
    for (method, path) in [
        ("GET", "/".to_owned()),
        ("GET", "/explore".to_owned()),
        ("GET", "/explore/program/dementia-rd".to_owned()),
        ("GET", "/explore/search?q=x".to_owned()),
        ("GET", "/id/program/dementia-rd".to_owned()),
        ("GET", "/ontology".to_owned()),
        ("GET", "/diagram/timeline/program/dementia-rd".to_owned()),
        ("GET", "/diagram/overview?format=dot".to_owned()),
        ("GET", format!("/sparql?query={query}")),
        ("GET", "/queries".to_owned()),
        ("GET", "/health".to_owned()),
        ("GET", "/assets/explorer.css".to_owned()),
        ("GET", "/no/such/page".to_owned()),
        ("OPTIONS", "/sparql".to_owned()),
    ] {
        let url = format!("{}{path}", base_url());
        let r = reply(if method == "OPTIONS" {
            agent().options(&url).call()
        } else {
            agent()
                .get(&url)
                .header("Accept", "text/html, */*;q=0.5")
                .call()
        });
        let header = |name: &str| {
            r.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_else(|| panic!("{method} {path}: no {name} header"))
        };
        let csp = header("content-security-policy");
        for part in [
            "default-src 'none'",
            "script-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        if r.content_type.starts_with("text/html") {
            pages += 1;
            assert!(!inline_script.is_match(&r.body), "{path}: inline script");
            for tag in script_without_src.find_iter(&r.body) {
                assert!(
                    tag.as_str().contains(" src=\"/assets/"),
                    "{path}: {}",
                    tag.as_str()
                );
            }
            assert!(
                !handler.is_match(&r.body),
                "{path}: an event handler attribute"
            );
            assert!(!style.is_match(&r.body), "{path}: a style attribute");
        }
    }
    assert_eq!(pages, 6);
}

/// Queries nested deeper than a thread's stack holds (issue 19, item 1): 1,000 braces in one
/// GET aborted the whole server with a stack overflow. Now each is refused before it is
/// parsed, 400 naming the limit, by GET and POST, and the server answers on. Against the
/// binary, so that an abort fails this test rather than the whole suite.
#[test]
fn a_query_nested_too_deep_gets_400_naming_the_limit_and_the_server_lives() {
    let (mut child, addr) = spawn_binary(&[]);
    let url = format!("http://{addr}/sparql");
    let braces = format!("SELECT * WHERE {}{}", "{ ".repeat(1000), "} ".repeat(1000));
    let r = reply(agent().get(&url).query("query", &braces).call());
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.starts_with("query refused: "), "{}", r.body);
    assert!(r.body.contains("limit of 128 levels"), "{}", r.body);
    let hostile = [
        format!("ASK {{ FILTER({}true) }}", "!".repeat(10_000)),
        format!(
            "SELECT * {{ BIND({}1{} AS ?x) }}",
            "CONCAT(".repeat(1000),
            ")".repeat(1000)
        ),
        format!("ASK {{ ?s {} ?o }}", vec!["<http://x/p>"; 10_000].join("/")),
    ];
    for query in &hostile {
        let r = reply(agent().post(&url).send_form([("query", query.as_str())]));
        assert_eq!(r.status, 400, "{}", r.body);
        assert!(r.body.contains("the limit of"), "{}", r.body);
    }
    assert!(child.0.try_wait().unwrap().is_none(), "the server died");
    let health = reply(agent().get(format!("http://{addr}/health")).call());
    assert_eq!(health.status, 200, "{}", health.body);
    let r = reply(agent().get(&url).query("query", PROJECTS_QUERY).call());
    assert_eq!(column(&json(&r.body), "project"), PROJECTS);
}

/// Issue 24: every IRI we mint or describe dereferences — the catalogue and the dataset (what
/// `dist/catalog.ttl` says of them), a named graph (its VoID subset), the RS vocabulary — and
/// JSON-LD answers are compact, with a context of our prefixes.
#[test]
fn the_catalogue_graphs_and_vocabulary_dereference() {
    let catalogue = medrd_kg::publish::dcat::dcat_triples(crate::util::kb()).unwrap();
    let about = |s: &str| -> HashSet<Triple> {
        catalogue
            .iter()
            .filter(|t| t.subject.to_string() == format!("<{s}>"))
            .cloned()
            .collect()
    };
    for (path, iri_) in [
        (
            "/id/catalog/medrd-kg",
            "https://w3id.org/medrd-kg/id/catalog/medrd-kg",
        ),
        (
            "/id/dataset/medrd-kg",
            "https://w3id.org/medrd-kg/id/dataset/medrd-kg",
        ),
    ] {
        let r = get(path, "text/turtle");
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let served = triples(&r.body, RdfFormat::Turtle);
        let said = about(iri_);
        assert!(said.len() > 5, "{path}: the catalogue describes it");
        assert!(said.is_subset(&served), "{path}: {}", r.body);
    }
    let dcat = |l: &str| iri(&format!("http://www.w3.org/ns/dcat#{l}"));
    let rdf_type = iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
    let served = triples(
        &get("/id/catalog/medrd-kg", "text/turtle").body,
        RdfFormat::Turtle,
    );
    assert!(served.contains(&Triple::new(
        iri("https://w3id.org/medrd-kg/id/catalog/medrd-kg"),
        rdf_type.clone(),
        dcat("Catalog")
    )));

    // A named graph: the VoID subset of the dataset that names it, with its size.
    let r = get("/graph/judgit", "text/turtle");
    assert_eq!(r.status, 200, "{}", r.body);
    let served = triples(&r.body, RdfFormat::Turtle);
    let name = iri("http://www.w3.org/ns/sparql-service-description#name");
    let subset = served
        .iter()
        .find(|t| {
            t.predicate == name && t.object == iri("https://w3id.org/medrd-kg/graph/judgit").into()
        })
        .expect("a subset names the graph");
    assert!(subset
        .subject
        .to_string()
        .starts_with("<https://w3id.org/medrd-kg/id/dataset/medrd-kg/graph/"));
    assert_eq!(get("/graph/no-such-graph", "text/turtle").status, 404);

    // The RS vocabulary, and only it.
    let r = get("/rs", "text/turtle");
    assert_eq!(r.status, 200, "{}", r.body);
    let served = triples(&r.body, RdfFormat::Turtle);
    assert!(served.contains(&Triple::new(
        iri("https://w3id.org/medrd-kg/rs#Payment"),
        rdf_type,
        iri("http://www.w3.org/2002/07/owl#Class"),
    )));
    assert!(served.iter().all(|t| {
        let s = t.subject.to_string();
        s == "<https://w3id.org/medrd-kg/rs>" || s.starts_with("<https://w3id.org/medrd-kg/rs#")
    }));

    // JSON-LD is compact: one context of our prefixes, compact IRIs; the same graph.
    let turtle = triples(
        &get("/id/program/dementia-rd", "text/turtle").body,
        RdfFormat::Turtle,
    );
    let r = get("/id/program/dementia-rd", "application/ld+json");
    let doc = json(&r.body);
    assert_eq!(
        doc["@context"]["medrd"], "https://w3id.org/medrd-kg/ontology#",
        "{}",
        r.body
    );
    assert!(r.body.contains("\"id:program/dementia-rd\""), "{}", r.body);
    let jsonld = RdfFormat::JsonLd {
        profile: Default::default(),
    };
    assert_eq!(triples(&r.body, jsonld), turtle);
    let q = format!("CONSTRUCT {{ <{DEMENTIA}> ?p ?o }} WHERE {{ <{DEMENTIA}> ?p ?o }}");
    let r = get_query(&q, "application/ld+json");
    assert!(json(&r.body)["@context"].is_object(), "{}", r.body);
}
