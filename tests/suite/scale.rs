//! Speed and scale, without timing anything: the synthetic generator (deterministic, shaped
//! like our data, loadable with --with), atomic loading, a remote SPARQL endpoint in place of
//! the embedded store (`medrd serve` in this process stands in for it), publishing by the
//! Graph Store Protocol (to a recording stub), the on-disk store (feature `rocksdb`) and,
//! when MEDRD_FUSEKI_URL names one, a real Apache Jena Fuseki (see scripts/fuseki-test.sh).

use crate::util::{csv, medrd, root};
use medrd_kg::{Kb, Layout};
use oxigraph::io::{RdfFormat, RdfParser};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A scratch directory for this test, removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("medrd-scale-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("create scratch dir");
        Dir(d)
    }
    fn path(&self, file: &str) -> String {
        self.0.join(file).display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rows(out: &str) -> usize {
    csv(out).len() - 1
}

#[test]
fn synthetic_kb_is_deterministic_and_shaped_like_ours() {
    let d = Dir::new("gen");
    let (a, b) = (d.path("a.nt"), d.path("b.nt"));
    medrd(&["bench", "gen", "--programs", "100", "-o", &a]).ok();
    medrd(&["bench", "gen", "--programs", "100", "-o", &b]).ok();
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(
        text,
        std::fs::read_to_string(&b).unwrap(),
        "same input, same output"
    );
    // Two copies of our 52 programs, each renamed under id/synth/K/, joined to the shared
    // ministries.
    assert!(text.contains("<https://w3id.org/medrd-kg/id/synth/2/program/dementia-rd>"));
    assert!(text.contains("<https://w3id.org/medrd-kg/id/org/mhlw>"));
    let real = rows(&medrd(&["query", "program-projects", "--format", "csv"]).ok());
    let with = rows(&medrd(&["--with", &a, "query", "program-projects", "--format", "csv"]).ok());
    assert_eq!(with, 3 * real, "our programs plus two copies");
    // The queries written for one document keep one answer per document.
    let rec = rows(
        &medrd(&[
            "--with",
            &a,
            "query",
            "budget-reconciliation",
            "--format",
            "csv",
        ])
        .ok(),
    );
    assert_eq!(rec, 3 * 2);
    let growth = rows(
        &medrd(&[
            "--with",
            &a,
            "query",
            "growth-by-ministry",
            "--format",
            "csv",
        ])
        .ok(),
    );
    let growth_real = rows(&medrd(&["query", "growth-by-ministry", "--format", "csv"]).ok());
    assert_eq!(growth, 3 * growth_real);
}

/// 40,000 N-Triples lines, over 1 MiB, so that a load reads them in parts on several
/// threads; line 40,001 is the next one.
fn big_ntriples() -> String {
    (0..40_000)
        .map(|i| format!("<http://example.com/s{i}> <http://example.com/p> \"{i}\" .\n"))
        .collect()
}

/// A triple without an object.
const BROKEN_LINE: &str = "<http://example.com/broken> <http://example.com/p> .\n";

#[test]
fn a_bad_extra_file_fails_the_whole_load_and_names_the_line() {
    let d = Dir::new("bad");
    let path = d.path("bad.nt");
    let text = big_ntriples() + BROKEN_LINE;
    std::fs::write(&path, text).unwrap();
    let run = medrd(&["--with", &path, "stats"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("bad.nt"), "{}", run.stderr);
    // The line in the file, not in the part a parsing thread read.
    assert!(run.stderr.contains("line 40001"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no partial output: {}", run.stdout);
}

/// Writes `text` gzipped.
fn gzip(path: &str, text: &str) {
    let mut w = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    );
    w.write_all(text.as_bytes()).unwrap();
    w.finish().unwrap();
}

fn triples_in(graph: &str, with: &str) -> String {
    let sparql = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <https://w3id.org/medrd-kg/graph/with/{graph}> {{ ?s ?p ?o }} }}"
    );
    let out = medrd(&[
        "--with", with, "query", "--sparql", &sparql, "--format", "csv",
    ])
    .ok();
    csv(&out)[1][0].clone()
}

/// Open data dumps come gzipped: `.nt.gz`, `.ttl.gz` load like the plain files (N-Triples
/// on a parsing thread beside the inserting one), and a parse error still names the file
/// and the line in the decompressed text.
#[test]
fn gzipped_dumps_load_and_errors_name_the_line() {
    let d = Dir::new("gzip");
    let mut nt = big_ntriples();
    let dir = d.path("dumps");
    std::fs::create_dir_all(&dir).unwrap();
    gzip(&format!("{dir}/big.nt.gz"), &nt);
    gzip(
        &format!("{dir}/small.ttl.gz"),
        "@prefix ex: <http://example.com/> .\nex:a ex:p ex:b , ex:c .\n",
    );
    assert_eq!(triples_in("big.nt.gz", &dir), "40000");
    assert_eq!(triples_in("small.ttl.gz", &dir), "2");

    nt.push_str(BROKEN_LINE);
    let bad = d.path("bad.nt.gz");
    gzip(&bad, &nt);
    let run = medrd(&["--with", &bad, "stats"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("bad.nt.gz"), "{}", run.stderr);
    assert!(run.stderr.contains("line 40001"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no partial output: {}", run.stdout);

    std::fs::write(d.path("not-gzip.nt.gz"), "plain text").unwrap();
    let run = medrd(&["--with", &d.path("not-gzip.nt.gz"), "stats"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not-gzip.nt.gz"), "{}", run.stderr);
}

/// A blank node's label is local to its file: `_:b0` of two `--with` files are two nodes.
#[test]
fn blank_nodes_of_two_extra_files_stay_apart() {
    let d = Dir::new("blank");
    for name in ["one.nt", "two.ttl"] {
        std::fs::write(d.path(name), "_:b0 <http://example.com/p> \"x\" .\n").unwrap();
    }
    let sparql = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s <http://example.com/p> ?o }";
    let out = medrd(&[
        "--with",
        &d.path("one.nt"),
        "--with",
        &d.path("two.ttl"),
        "query",
        "--sparql",
        sparql,
        "--format",
        "csv",
    ])
    .ok();
    assert_eq!(csv(&out)[1][0], "2");
}

/// A file large enough to be parsed in parts on several threads keeps one node for one
/// label: `_:b` on its first line and on its last is one blank node, in the file as in its two
/// copies (each part had named its labels anew), and apart from the same label of a small file.
#[test]
fn a_blank_node_label_is_one_node_across_the_parts_of_a_large_file() {
    let d = Dir::new("blank-parts");
    let text = format!(
        "_:b <http://example.com/p> \"first\" .\n{}_:b <http://example.com/p> \"last\" .\n",
        big_ntriples()
    );
    std::fs::write(d.path("big.nt"), text).unwrap();
    std::fs::write(
        d.path("small.nt"),
        "_:b <http://example.com/p> \"last\" .\n",
    )
    .unwrap();
    let sparql = "SELECT (COUNT(*) AS ?n) WHERE { ?b <http://example.com/p> \"first\", \"last\" }";
    let big = d.path("big.nt");
    let count = |extra: &[&str]| {
        let mut args = vec!["--with", &big[..]];
        args.extend_from_slice(extra);
        args.extend(["query", "--sparql", sparql, "--format", "csv"]);
        csv(&medrd(&args).ok())[1][0].clone()
    };
    assert_eq!(count(&[]), "1");
    let small = d.path("small.nt");
    assert_eq!(count(&["--with", &small]), "1");
}

/// Two `--with` files of the same name would share one graph: refused, naming both.
#[test]
fn two_extra_files_of_one_name_are_refused() {
    let d = Dir::new("same-name");
    for sub in ["a", "b"] {
        std::fs::create_dir_all(d.path(sub)).unwrap();
        std::fs::write(
            d.path(&format!("{sub}/x.nt")),
            "<http://example.com/a> <http://example.com/p> \"1\" .\n",
        )
        .unwrap();
    }
    let (a, b) = (d.path("a/x.nt"), d.path("b/x.nt"));
    let run = medrd(&["--with", &a, "--with", &b, "stats"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&a) && run.stderr.contains(&b) && run.stderr.contains("same file name"),
        "{}",
        run.stderr
    );
}

#[test]
fn bench_pipeline_runs_every_stage() {
    let out = medrd(&["bench", "pipeline", "--runs", "1", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["failed_checks"], 0);
    assert!(v["query_ms"].as_object().unwrap().len() >= 15);
    assert!(v["diagrams"].as_u64().unwrap() > 0);
}

/// Starts `medrd serve` in this process on a free loopback port.
fn serve() -> SocketAddr {
    crate::util::serve(crate::util::loopback())
}

#[test]
fn a_remote_endpoint_answers_like_the_embedded_store() {
    let url = format!("http://{}/sparql", serve());
    for name in [
        "program-projects",
        "budget-by-ministry",
        "cross-project-programs",
    ] {
        let local = medrd(&["query", name, "--format", "csv"]).ok();
        let remote = medrd(&["--endpoint", &url, "query", name, "--format", "csv"]).ok();
        assert_eq!(remote, local, "{name}");
    }
    let run = medrd(&["--endpoint", &url, "validate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // CONSTRUCT comes back as RDF.
    let graph = medrd(&[
        "--endpoint",
        &url,
        "query",
        "--sparql",
        "CONSTRUCT { ?p ?q ?o } WHERE { <https://w3id.org/medrd-kg/id/program/dementia-rd> ?q ?o BIND (<https://w3id.org/medrd-kg/id/program/dementia-rd> AS ?p) }",
        "--format",
        "ntriples",
    ])
    .ok();
    assert!(graph.contains("認知症研究開発事業"), "{graph}");
    // A broken query reports the endpoint's refusal.
    let run = medrd(&["--endpoint", &url, "query", "--sparql", "SELECT WHERE {"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("HTTP 400"), "{}", run.stderr);
}

#[test]
fn an_answer_the_endpoint_cut_at_its_row_limit_is_refused() {
    // Virtuoso answers 10,000 of 83,925 rows with 200 OK and `X-SPARQL-MaxRows: 10000`
    // (seen with the RS editions loaded): a stub endpoint answering that way.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let answer = r#"{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://e/1"}}]}}"#;
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\
                 X-SPARQL-MaxRows: 1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    let url = format!("http://{addr}/sparql");
    for args in [
        vec!["query", "--sparql", "SELECT ?s WHERE { ?s ?p ?o }"],
        vec!["export", "--format", "nquads"],
    ] {
        let run = medrd(&[&["--endpoint", url.as_str()], &args[..]].concat());
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains("cut its answer at 1 rows (X-SPARQL-MaxRows)"),
            "{}",
            run.stderr
        );
        assert!(
            run.stdout.is_empty(),
            "nothing half-written: {}",
            run.stdout
        );
    }
}

#[test]
fn with_an_endpoint_export_stats_and_dcat_read_the_endpoint() {
    // The whole store (55k quads with the RS editions) in one answer: above the default
    // --max-results of 10,000, which would cut the export (and, in a debug build, above 5 s).
    let mut config = crate::util::loopback();
    config.max_results = 1_000_000;
    config.timeout = std::time::Duration::from_secs(60);
    let url = format!("http://{}/sparql", crate::util::serve(config));
    // A --with file only the local store holds: it shows which backend answered.
    let dir = std::env::temp_dir().join(format!("medrd-endpoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let extra = dir.join("extra.nt");
    std::fs::write(
        &extra,
        "<http://example.org/p> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> \
         <https://w3id.org/medrd-kg/ontology#Program> .\n",
    )
    .unwrap();
    let extra = extra.to_str().unwrap();
    for args in [
        &["export", "-f", "nquads"][..],
        &["export", "-f", "turtle"],
        &["export", "--dcat"],
        &["stats"],
    ] {
        let local = medrd(args).ok();
        let local_with_extra = medrd(&[&["--with", extra], args].concat()).ok();
        assert_ne!(local_with_extra, local, "{args:?}");
        let remote = medrd(&[&["--with", extra, "--endpoint", &url], args].concat()).ok();
        assert!(remote == local, "{args:?} did not come from the endpoint");
    }
    // The commands that work on the embedded store itself refuse the endpoint.
    for args in [
        &["build", "-o", dir.join("dist").to_str().unwrap()][..],
        &["serve", "--bind", "127.0.0.1:0"],
        &["bench", "explain", "program-projects"],
    ] {
        let run = medrd(&[&["--endpoint", &url], args].concat());
        assert_eq!(run.code, 2, "{args:?}");
        assert!(
            run.stderr
                .contains("--endpoint does not apply to this command"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert!(!dir.join("dist").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn with_an_endpoint_no_graph_of_ours_is_loaded_here() {
    // Every query, quad and count of a command given --endpoint comes from the endpoint, so
    // nothing of ours is loaded locally: not our graphs (the store is empty), not a --with file
    // (a broken one is not read; a note says so), and the answers are the endpoint's.
    let url = format!("http://{}/sparql", serve());
    let kb = Kb::load_frozen(Layout::new(root()).with_endpoint(Some(url.clone()))).unwrap();
    assert_eq!(kb.len().unwrap(), 0);
    assert!(!kb.documents().is_empty(), "data/'s documents are read");
    let dir = std::env::temp_dir().join(format!("medrd-endpoint-only-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.ttl");
    std::fs::write(&broken, "<http://example.org/s> <http://example.org/p> .\n").unwrap();
    let broken = broken.to_str().unwrap();
    let query = ["query", "program-projects", "--format", "csv"];
    let local = medrd(&query).ok();
    let loaded = medrd(&[&["--with", broken][..], &query].concat());
    assert_eq!(loaded.code, 2, "a broken file loaded here is an error");
    let run = medrd(&[&["--with", broken, "--endpoint", &url][..], &query].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, local);
    assert!(
        run.stderr
            .contains("--with files are not read with --endpoint"),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// The requests a stub received: request line and body.
type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A Graph Store Protocol stub: answers 204 to each PUT and keeps (target, body).
fn gsp_stub() -> (String, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&got);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("content-length") {
                        length = v.trim().parse().unwrap();
                    }
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            keep.lock().unwrap().push((request.trim().to_owned(), body));
            stream
                .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                .unwrap();
        }
    });
    (format!("http://{addr}/ds"), got)
}

#[test]
fn publish_puts_every_graph_by_the_graph_store_protocol() {
    // `publish` reads our graphs from a read-only copy (not a store), whether the target is
    // `--endpoint` or `--graph-store`: each graph sent is the store's graph, triple for triple.
    let kb = Kb::load(Layout::new(root())).unwrap();
    for how in [
        &["--endpoint", "URL", "publish"][..],
        &["publish", "--graph-store", "URL"],
    ] {
        let (url, got) = gsp_stub();
        let args: Vec<&str> = how
            .iter()
            .map(|a| if *a == "URL" { url.as_str() } else { a })
            .collect();
        let run = medrd(&args);
        assert_eq!(run.code, 0, "{how:?}: {}", run.stderr);
        let got = got.lock().unwrap();
        // The ontology, each source of data/ (fy2024-request, judgit, rs-2024, rs-2025) and
        // the links.
        assert_eq!(got.len(), 6, "ontology, sources and links: {how:?}");
        let prefix = "PUT /ds?graph=";
        for (target, body) in got.iter() {
            let graph = target
                .strip_prefix(prefix)
                .and_then(|t| t.split_whitespace().next())
                .map(|g| {
                    form_urlencoded::parse(format!("g={g}").as_bytes())
                        .next()
                        .unwrap()
                        .1
                        .into_owned()
                })
                .unwrap_or_else(|| panic!("{how:?}: {target}"));
            assert!(
                graph.starts_with("https://w3id.org/medrd-kg/graph/"),
                "{graph}"
            );
            let mut sent: Vec<String> = RdfParser::from_format(RdfFormat::NTriples)
                .for_slice(body)
                .map(|t| t.expect("N-Triples").to_string())
                .collect();
            let g = oxigraph::model::NamedNode::new(graph.as_str()).unwrap();
            let mut held: Vec<String> = kb
                .store()
                .unwrap()
                .quads_for_pattern(None, None, None, Some(g.as_ref().into()))
                .map(|q| oxigraph::model::Triple::from(q.unwrap()).to_string())
                .collect();
            sent.sort();
            held.sort();
            assert!(!held.is_empty(), "{graph}");
            assert_eq!(sent, held, "{how:?}: the triples sent into <{graph}>");
        }
    }
}

#[test]
fn store_needs_the_rocksdb_feature_or_keeps_data_on_disk() {
    let d = Dir::new("store");
    let dir = d.path("db");
    let run = medrd(&["--store", &dir, "stats"]);
    if cfg!(feature = "rocksdb") {
        assert_eq!(run.code, 0, "{}", run.stderr);
    } else {
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("rocksdb"), "{}", run.stderr);
    }
}

#[cfg(feature = "rocksdb")]
#[test]
fn an_on_disk_store_keeps_graphs_and_survives_a_failed_load() {
    let d = Dir::new("rocks");
    let dir = d.path("db");
    let extra = d.path("extra.nt");
    medrd(&["bench", "gen", "--programs", "52", "-o", &extra]).ok();
    let count = |args: &[&str]| -> String {
        let mut all = vec!["--store", dir.as_str()];
        all.extend_from_slice(args);
        all.extend_from_slice(&[
            "query",
            "--sparql",
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            "--format",
            "csv",
        ]);
        csv(&medrd(&all).ok())[1][0].clone()
    };
    let with_extra = count(&["--with", &extra]);
    // The graph of the earlier --with stays in the store.
    assert_eq!(count(&[]), with_extra);
    // A file that breaks half way leaves the store as it was.
    let bad = d.path("extra.nt");
    let mut text = std::fs::read_to_string(&extra).unwrap();
    text.push_str("<http://example.com/broken> .\n");
    std::fs::write(&bad, text).unwrap();
    let run = medrd(&["--store", &dir, "--with", &bad, "stats"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(count(&[]), with_extra);
    // A graph the store does not have yet is bulk-loaded: a good file beside a bad one (the
    // bad one over 1 MiB, which the bulk loader reads in parts on 4 cores or more) leaves
    // neither in the store, and the error names the bad file's line.
    let good = d.path("new-good.nt");
    std::fs::write(
        &good,
        "<http://example.com/a> <http://example.com/p> \"1\" .\n",
    )
    .unwrap();
    let big = big_ntriples() + BROKEN_LINE;
    let bad_new = d.path("new-bad.nt");
    std::fs::write(&bad_new, &big).unwrap();
    let run = medrd(&[
        "--store", &dir, "--with", &good, "--with", &bad_new, "stats",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("new-bad.nt") && run.stderr.contains("line 40001"),
        "{}",
        run.stderr
    );
    assert_eq!(count(&[]), with_extra);
    // A graph loaded again (changed) beside a bad new one: the run fails before anything is
    // committed, so the old graph stays as it was too.
    let mut changed = std::fs::read_to_string(&extra).unwrap();
    if changed.ends_with(BROKEN_LINE) {
        changed.truncate(changed.len() - BROKEN_LINE.len());
    }
    changed.push_str("<http://example.com/added> <http://example.com/p> \"2\" .\n");
    std::fs::write(&extra, changed).unwrap();
    let run = medrd(&[
        "--store", &dir, "--with", &extra, "--with", &bad_new, "stats",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(count(&[]), with_extra);
    // And a good new file is added beside the graphs already there.
    let added = count(&["--with", &good]);
    assert_eq!(
        added.parse::<u64>().unwrap(),
        with_extra.parse::<u64>().unwrap() + 1
    );
}

/// `--with` files whose graphs are new to an on-disk store go to the bulk loader; a triple an
/// earlier file states is left in that file's graph and counted in the later file's note, as
/// in memory, and a triple a file repeats is no triple of another graph: the note does not
/// count it (it did, for every file but the last).
#[cfg(feature = "rocksdb")]
#[test]
fn a_triple_a_bulk_loaded_file_repeats_is_not_counted_as_stated_elsewhere() {
    let d = Dir::new("rocks-repeated");
    let dir = d.path("db");
    let (first, second) = (d.path("first.nt"), d.path("second.nt"));
    let line =
        |s: &str, o: u8| format!("<http://example.com/{s}> <http://example.com/p> \"{o}\" .\n");
    std::fs::write(&first, [line("a", 1), line("a", 1), line("b", 2)].concat()).unwrap();
    std::fs::write(&second, [line("b", 2), line("c", 3)].concat()).unwrap();
    let run = medrd(&[
        "--store",
        &dir,
        "--with",
        &first,
        "--with",
        &second,
        "query",
        "--format",
        "csv",
        "--sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://example.com/p> ?o } }",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(csv(&run.stdout)[1][0], "3", "{}", run.stderr);
    assert!(!run.stderr.contains("first.nt:"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("second.nt: 1 of its 2 triples are stated by another graph"),
        "{}",
        run.stderr
    );
}

/// The rules see a `--with` file whose graph is new to an on-disk store on its first load,
/// although it goes to the bulk loader after the main transaction: a new label of one of our
/// programs gets its theme on the first run as on the second (it got it on the second only),
/// and our own export beside our data counts each derived theme once on both. What the rules
/// derive into the graph of an earlier file the store keeps is checked against ours.
#[cfg(feature = "rocksdb")]
#[test]
fn an_on_disk_stores_first_load_of_a_new_file_derives_as_later_ones() {
    let d = Dir::new("rocks-derived");
    let (label, ours) = (d.path("label.ttl"), d.path("ours.nt"));
    std::fs::write(
        &label,
        "<https://w3id.org/medrd-kg/id/program/b-cure-tmm> \
         a <https://w3id.org/medrd-kg/ontology#Program> ; \
         <http://www.w3.org/2004/02/skos/core#altLabel> \"AI活用\"@ja .\n",
    )
    .unwrap();
    let export = medrd(&["export", "--format", "ntriples", "-o", &ours]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let themes = "SELECT (COUNT(*) AS ?n) WHERE { ?x \
                  <https://w3id.org/medrd-kg/ontology#derivedTheme> ?t }";
    let ai = "SELECT (COUNT(*) AS ?n) WHERE { \
              <https://w3id.org/medrd-kg/id/program/b-cure-tmm> \
              <https://w3id.org/medrd-kg/ontology#derivedTheme> \
              <https://w3id.org/medrd-kg/id/theme/ai-data> }";
    let count = |db: &str, with: &str, sparql: &str| -> String {
        let run = medrd(&[
            "--store", db, "--with", with, "query", "--format", "csv", "--sparql", sparql,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        csv(&run.stdout)[1][0].clone()
    };
    let alone = medrd(&["query", "--format", "csv", "--sparql", themes]);
    let alone = csv(&alone.stdout)[1][0].clone();
    let (db1, db2) = (d.path("db1"), d.path("db2"));
    for run in ["first", "second"] {
        assert_eq!(count(&db1, &label, ai), "1", "{run} run");
        assert_eq!(count(&db2, &ours, themes), alone, "{run} run");
    }
    // A file's label giving a theme ours gives too: the rules run once a load (one note),
    // and a later load without the file, which keeps its graph, derives into that graph
    // again and takes it out again (it stayed, counted twice, when only the files given were
    // checked).
    let seeds = d.path("seeds.ttl");
    std::fs::write(
        &seeds,
        "<https://w3id.org/medrd-kg/id/program/medical-device-seeds> \
         <http://www.w3.org/2004/02/skos/core#altLabel> \"新しい医療機器の別名\"@ja .\n",
    )
    .unwrap();
    let db3 = d.path("db3");
    let first = medrd(&[
        "--store", &db3, "--with", &seeds, "query", "--sparql", themes,
    ]);
    assert_eq!(
        first.stderr.matches("once the rules").count(),
        1,
        "{}",
        first.stderr
    );
    let in_seeds =
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/medrd-kg/graph/with/seeds.ttl> \
                    { ?x <https://w3id.org/medrd-kg/ontology#derivedTheme> ?t } }";
    let later = medrd(&[
        "--store", &db3, "query", "--format", "csv", "--sparql", in_seeds,
    ]);
    assert_eq!(later.code, 0, "{}", later.stderr);
    assert_eq!(csv(&later.stdout)[1][0], "0", "{}", later.stderr);
}

/// A store on disk imports the project's own graphs again only when their inputs changed: a
/// second run says it kept them and answers the same; after a data file changes, the next run
/// imports again and answers with the change.
#[cfg(feature = "rocksdb")]
#[test]
fn an_on_disk_store_imports_our_graphs_again_only_when_their_inputs_change() {
    let s = crate::util::Scratch::new("rocks-imported");
    let db = s.dir.join("db").display().to_string();
    let label = "SELECT ?l WHERE { <https://w3id.org/medrd-kg/id/theme/dementia> \
                 <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER (LANG(?l) = \"en\") }";
    let run = |sparql: &str| {
        s.medrd(&[
            "--store", &db, "query", "--format", "csv", "--sparql", sparql,
        ])
    };
    let first = run(label);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        !first.stderr.contains("not imported again"),
        "{}",
        first.stderr
    );
    let second = run(label);
    assert!(
        second.stderr.contains("not imported again"),
        "{}",
        second.stderr
    );
    assert_eq!(second.stdout, first.stdout);
    s.replace(
        "data/themes.toml",
        "en = \"Dementia\"",
        "en = \"Dementia (edited)\"",
    );
    let third = run(label);
    assert!(
        !third.stderr.contains("not imported again"),
        "{}",
        third.stderr
    );
    assert!(
        third.stdout.contains("Dementia (edited)"),
        "{}",
        third.stdout
    );
    assert!(!third.stdout.contains("Dementia\n"), "{}", third.stdout);
}

/// The CSV answer (and stderr) of a query on the scratch root, on the on-disk store `db` when
/// given, else in memory; the run must succeed.
#[cfg(feature = "rocksdb")]
fn csv_answer(
    s: &crate::util::Scratch,
    db: Option<&std::path::PathBuf>,
    sparql: &str,
) -> (String, String) {
    let db = db.map(|d| d.display().to_string());
    let mut args = vec![];
    if let Some(db) = &db {
        args.extend(["--store", db.as_str()]);
    }
    args.extend(["query", "--format", "csv", "--sparql", sparql]);
    let run = s.medrd(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (run.stdout, run.stderr)
}

/// A new on-disk store takes our graphs with the bulk loader, before the transaction of the
/// rules and `--with` files. When that transaction fails, the store is left empty, as it
/// was; a later run imports them again, and once inputs change, again in its transaction,
/// clearing the old: every run answers as the in-memory store does, each quad once.
#[cfg(feature = "rocksdb")]
#[test]
fn an_on_disk_store_whose_first_load_failed_is_left_empty_and_imports_ours_again() {
    let s = crate::util::Scratch::new("rocks-bulk-ours");
    let db = s.dir.join("db");
    let count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
    let inferred =
        "SELECT (COUNT(*) AS ?n) WHERE { ?x <https://w3id.org/medrd-kg/ontology#derivedTheme> ?t }";
    let label = "SELECT ?l WHERE { <https://w3id.org/medrd-kg/id/theme/dementia> \
                 <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER (LANG(?l) = \"en\") }";
    let db_arg = db.display().to_string();
    let answers =
        |store: bool| [count, inferred, label].map(|q| csv_answer(&s, store.then_some(&db), q).0);
    let in_memory = answers(false);
    assert!(
        !in_memory[1].contains("\n0"),
        "the rules infer facts: {}",
        in_memory[1]
    );
    let bad = s.dir.join("bad.nt").display().to_string();
    std::fs::write(
        &bad,
        format!("<http://example.com/a> <http://example.com/p> 1 .\n{BROKEN_LINE}"),
    )
    .unwrap();
    let failed = s.medrd(&["--store", &db_arg, "--with", &bad, "stats"]);
    assert_eq!(failed.code, 2, "{}", failed.stderr);
    {
        let store = oxigraph::store::Store::open(&db).unwrap();
        assert!(
            store.is_empty().unwrap(),
            "a failed first load leaves the store empty"
        );
    }
    assert_eq!(answers(true), in_memory);
    // Inputs edited: our graphs are imported again in the transaction, the old ones cleared.
    s.replace(
        "data/themes.toml",
        "en = \"Dementia\"",
        "en = \"Dementia (edited)\"",
    );
    let edited = answers(false);
    assert!(edited[2].contains("Dementia (edited)"), "{}", edited[2]);
    // A sorted file of a bulk load stopped by a kill is removed when the store is opened.
    let left = db.join("bulk-1234.sst");
    std::fs::write(&left, b"not ingested").unwrap();
    assert_eq!(answers(true), edited);
    assert!(!left.exists(), "{} is left", left.display());
}

/// Our graphs in an on-disk store follow `data/`: the graph of a source renamed there is
/// cleared at the next import (else the union of the graphs would count its figures twice),
/// and a store emptied by another program is filled again whatever its digest says.
#[cfg(feature = "rocksdb")]
#[test]
fn an_on_disk_store_drops_a_renamed_source_and_refills_when_emptied() {
    let s = crate::util::Scratch::new("rocks-renamed");
    let db = s.dir.join("db");
    let count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
    let ask = |store: bool| csv_answer(&s, store.then_some(&db), count);
    assert_eq!(ask(true).0, ask(false).0);
    std::fs::rename(
        s.dir.join("data/rs-2024"),
        s.dir.join("data/rs-2024-renamed"),
    )
    .unwrap();
    let renamed = ask(false).0;
    assert_eq!(ask(true).0, renamed);
    {
        let store = oxigraph::store::Store::open(&db).unwrap();
        let old =
            oxigraph::model::NamedNodeRef::new_unchecked("https://w3id.org/medrd-kg/graph/rs-2024");
        assert!(
            store
                .quads_for_pattern(None, None, None, Some(old.into()))
                .next()
                .is_none(),
            "the graph of the renamed source is cleared"
        );
        store.clear().unwrap();
    }
    let (after, stderr) = ask(true);
    assert!(!stderr.contains("not imported again"), "{stderr}");
    assert_eq!(after, renamed);
}

/// An answer kept beside an on-disk store (the explorer's search entries of recipients take
/// minutes over every review sheet on disk) is read back while the store is in the state it
/// was read in, and read from the store again once a load changed it (an input edited, a
/// `--with` file loaded).
#[cfg(feature = "rocksdb")]
#[test]
fn an_answer_kept_beside_an_on_disk_store_is_read_back_only_in_its_state() {
    let s = crate::util::Scratch::new("rocks-kept");
    let db = s.dir.join("db");
    let sparql = "SELECT ?l WHERE { <https://w3id.org/medrd-kg/id/theme/dementia> \
                  <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER (LANG(?l) = \"en\") }";
    let label = |layout: Layout| {
        let kb = Kb::load(layout.with_store(Some(db.clone()))).expect("the store loads");
        let mut asked = false;
        let rows = medrd_kg::store::kept::rows(&kb, "theme-label", sparql, || {
            asked = true;
            let table = medrd_kg::query::output::Table::collect(kb.query("theme-label", sparql)?)?;
            Ok::<_, medrd_kg::Error>(
                (0..table.rows.len())
                    .map(|i| [("l".to_owned(), table.text(i, "l"))].into())
                    .collect(),
            )
        })
        .expect("an answer");
        (rows, asked)
    };
    let first = label(Layout::new(&s.dir));
    assert!(first.1, "nothing kept yet: the store answers");
    assert_eq!(first.0[0]["l"], "Dementia");
    assert!(db.join("medrd-kept/theme-label.json").is_file());
    let second = label(Layout::new(&s.dir));
    assert_eq!(
        second,
        (first.0.clone(), false),
        "the same state: read back"
    );
    s.replace(
        "data/themes.toml",
        "en = \"Dementia\"",
        "en = \"Dementia (edited)\"",
    );
    let third = label(Layout::new(&s.dir));
    assert!(third.1, "an input changed: the store answers again");
    assert_eq!(third.0[0]["l"], "Dementia (edited)");
    assert!(!label(Layout::new(&s.dir)).1);
    let extra = s.dir.join("extra.ttl");
    std::fs::write(
        &extra,
        "<https://example.org/a> <https://example.org/b> 1 .\n",
    )
    .unwrap();
    let fourth = label(Layout::new(&s.dir).with_extra([extra.clone()]));
    assert!(fourth.1, "a --with file loaded: the store answers again");
    // Its graph was new, so bulk-loaded after the transaction; the rules ran again over it,
    // and the store has the generation of that state (it had none until a later load ran
    // the rules, before they saw a bulk-loaded graph on its first load).
    assert!(db.join("medrd-generation").exists());
    assert!(!label(Layout::new(&s.dir)).1, "the same state: read back");
    // A --with file that fails half way changes nothing, yet leaves no generation behind
    // (it was removed before the store could change): the next load writes one.
    std::fs::write(
        &extra,
        "<https://example.org/a> <https://example.org/b> 1 .\n<bad\n",
    )
    .unwrap();
    let kb = Kb::load(
        Layout::new(&s.dir)
            .with_extra([extra])
            .with_store(Some(db.clone())),
    );
    assert!(kb.is_err());
    assert!(!db.join("medrd-generation").exists());
    assert!(label(Layout::new(&s.dir)).1);
    assert!(!label(Layout::new(&s.dir)).1);
}

/// `medrd serve --store` keeps the search entries of lines and recipients beside the store
/// on its first start, and the next start over the same store reads them back (the kept
/// file is not written again) and still finds a recipient by its 法人番号.
#[cfg(feature = "rocksdb")]
#[test]
fn serve_on_disk_reads_the_kept_search_entries_back() {
    use std::io::BufRead;
    let s = crate::util::Scratch::new("rocks-serve-kept");
    let db = s.dir.join("db");
    let kept = db.join("medrd-kept/search-money.json");
    let start = || {
        let mut child = crate::util::command()
            .arg("--root")
            .arg(&s.dir)
            .arg("--store")
            .arg(&db)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("medrd serve starts");
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| {
                let rest = l.split("listening on http://").nth(1)?;
                Some(rest.split('/').next().unwrap_or("").to_owned())
            })
            .expect("the server says where it listens");
        // Read on, so that what the server says later never meets a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        crate::util::wait_ready(addr.parse().expect("an address"));
        let (status, _, body) = super::explorer::get_from(
            &format!("http://{addr}"),
            "/explore/search?format=json&q=9010005023796",
        );
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("/explore/recipient/9010005023796"), "{body}");
    };
    start();
    let written = std::fs::metadata(&kept)
        .expect("kept on the first start")
        .modified()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    start();
    let after = std::fs::metadata(&kept).unwrap().modified().unwrap();
    assert_eq!(after, written, "read back, not written again");
}

/// Against a real Fuseki: scripts/fuseki-test.sh starts one and runs this test with
/// MEDRD_FUSEKI_URL set to its dataset URL (e.g. http://127.0.0.1:3939/ds). Ignored, not
/// passed, in a plain `cargo test`. (CI compares every query with Virtuoso instead:
/// scripts/virtuoso-test.sh.)
#[test]
#[ignore = "needs a Fuseki server: scripts/fuseki-test.sh"]
fn fuseki_answers_like_the_embedded_store() {
    let url = std::env::var("MEDRD_FUSEKI_URL").expect("MEDRD_FUSEKI_URL (scripts/fuseki-test.sh)");
    medrd(&["--endpoint", &url, "publish"]).ok();
    let sparql = format!("{}/sparql", url.trim_end_matches('/'));
    let local = medrd(&["query", "program-projects", "--format", "csv"]).ok();
    let remote = medrd(&[
        "--endpoint",
        &sparql,
        "query",
        "program-projects",
        "--format",
        "csv",
    ])
    .ok();
    assert_eq!(remote, local);
}

/// The rows of the widest step that reads the store (a triple pattern) in a plan printed by
/// `medrd bench explain`, with that step.
fn widest_read(plan: &serde_json::Value) -> (u64, String) {
    let mut widest = (0, String::new());
    let mut todo = vec![plan];
    while let Some(node) = todo.pop() {
        match node {
            serde_json::Value::Object(fields) => {
                let name = fields.get("name").and_then(|n| n.as_str()).unwrap_or("");
                let rows = fields.get("number of results").and_then(|n| n.as_u64());
                if let (true, Some(rows)) = (name.starts_with("QuadPattern"), rows) {
                    if rows > widest.0 {
                        widest = (rows, name.to_owned());
                    }
                }
                todo.extend(fields.values());
            }
            serde_json::Value::Array(items) => todo.extend(items),
            _ => {}
        }
    }
    widest
}

/// The planner knows the store's counts (vendor/sparopt patches 3 and 4): on our data, these
/// queries' plans start from the programs, projects or ministries they are about and look
/// their amounts up, instead of reading every amount, label or budget stage of the store and
/// joining after (upstream's plans read, at their widest step, 12,187 rows for
/// program-timeline, 4,213 for cross-project-programs and 1,170 for growth-by-ministry).
#[test]
fn plans_start_from_what_a_query_is_about() {
    let amounts = rows(
        &medrd(&[
            "query",
            "-f",
            "csv",
            "--sparql",
            "SELECT ?a WHERE { ?a <https://w3id.org/medrd-kg/ontology#amountFor> ?x }",
        ])
        .ok(),
    ) as u64;
    assert!(amounts > 4000, "{amounts} amounts: the data changed?");
    // (query, at most this share of the amounts at its widest step): program-timeline reads
    // 1,070 rows (its 535 rows with their stage and source labels in two languages),
    // cross-project-programs 126, growth-by-ministry 33 (the ministries' figures).
    for (query, share) in [
        ("program-timeline", 3),
        ("cross-project-programs", 3),
        ("growth-by-ministry", 30),
    ] {
        let plan: serde_json::Value =
            serde_json::from_str(&medrd(&["bench", "explain", query]).ok()).unwrap();
        let (rows, step) = widest_read(&plan);
        assert!(rows > 0, "{query}: no step read the store");
        assert!(
            rows < amounts / share,
            "{query}: its step {step} reads {rows} rows, of {amounts} amounts in the store"
        );
    }
}

/// A program's timeline chart runs `program-timeline` with `?p` bound to the program: its
/// OPTIONAL of a review sheet's edition, ministry and number (three patterns) is looked up for
/// the program's own lines, not read for every review sheet of the store and joined after
/// (vendor/sparopt patch 5; at every review sheet's scale that read was 270 ms of each chart).
#[test]
fn a_program_chart_reads_its_own_lines_not_every_review_sheet() {
    let sheets = rows(
        &medrd(&[
            "query",
            "-f",
            "csv",
            "--sparql",
            "SELECT ?s WHERE { ?s a <https://w3id.org/medrd-kg/rs#ReviewSheet> }",
        ])
        .ok(),
    ) as u64;
    assert!(sheets > 100, "{sheets} review sheets: the data changed?");
    let text = std::fs::read_to_string(root().join("queries/program-timeline.rq")).unwrap();
    let program = "<https://w3id.org/medrd-kg/id/program/b-cure>".to_owned();
    let bound = medrd_kg::query::catalog::bind(&text, &[("p", program)]);
    let dir = Dir::new("chart-plan");
    let file = dir.path("program-timeline-b-cure.rq");
    std::fs::write(&file, bound).unwrap();
    let out = medrd(&["bench", "explain", &file]).ok();
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    let (rows, step) = widest_read(&plan);
    assert!(
        rows < sheets / 2,
        "its step {step} reads {rows} rows, of {sheets} review sheets in the store"
    );
}

/// A FILTER EXISTS inside an OPTIONAL's group sees only that group's variables: with ?x bound
/// outside the OPTIONAL only, `{ ?r :b ?m FILTER NOT EXISTS { ?x :c ?m } }` holds no row when
/// any ?x has `:c :m1`. Run as a for-loop join (vendor/sparopt patch 5) the EXISTS took the
/// outer ?x and kept the row; a FILTER of the OPTIONAL itself does see the outer ?x (the
/// control). Padded so that the planner would take the for-loop join.
#[test]
fn exists_in_an_optional_group_does_not_see_the_outer_solution() {
    let dir = Dir::new("exists-scope");
    let mut ttl = String::from(
        "@prefix : <https://example.org/> .\n\
         :r1 :owner :x1 ; :a \"e\" ; :b :m1 .\n:x2 :c :m1 .\n",
    );
    for i in 2..3000 {
        ttl.push_str(&format!(":r{i} :a {i} ; :b :m{i} .\n"));
    }
    let file = dir.path("exists.ttl");
    std::fs::write(&file, ttl).unwrap();
    let run = |pattern: &str| {
        let sparql = format!(
            "PREFIX : <https://example.org/> SELECT ?m WHERE {{ ?r :owner ?x OPTIONAL {{ {pattern} }} }}"
        );
        csv(&medrd(&["--with", &file, "query", "-f", "csv", "--sparql", &sparql]).ok())
    };
    let nested = run("?r :a ?e . { ?r :b ?m FILTER NOT EXISTS { ?x :c ?m } }");
    assert_eq!(nested, vec![vec!["m".to_owned()], vec![String::new()]]);
    let own = run("?r :b ?m FILTER NOT EXISTS { ?x :c ?m }");
    assert_eq!(
        own,
        vec![
            vec!["m".to_owned()],
            vec!["https://example.org/m1".to_owned()]
        ]
    );
}

/// The planner's counts (src/store/stats.rs, taken ahead by `warm` as `serve` does) are our
/// data's: the 52 programs of the document, and every RS payment paid on exactly one line,
/// lines being paid many times each.
#[test]
fn the_planner_counts_what_the_store_holds() {
    use oxigraph::model::NamedNodeRef;
    use sparopt::Statistics;
    let kb = Kb::load(Layout::new(root())).unwrap();
    kb.stats.warm();
    let iri = NamedNodeRef::new_unchecked;
    let programs = kb
        .stats
        .instances(iri("https://w3id.org/medrd-kg/ontology#Program"));
    assert_eq!(programs, Some(52));
    let payment_of = kb
        .stats
        .predicate(iri("https://w3id.org/medrd-kg/rs#paymentOf"))
        .unwrap();
    let payments = kb
        .stats
        .instances(iri("https://w3id.org/medrd-kg/rs#Payment"));
    assert_eq!(payments, Some(payment_of.triples));
    assert_eq!(payment_of.subjects, payment_of.triples);
    assert!(
        payment_of.objects > 1 && payment_of.objects * 5 < payment_of.triples,
        "{payment_of:?}"
    );
    let absent = kb
        .stats
        .predicate(iri("https://example.org/no-such-predicate"));
    assert_eq!(absent.map(|p| p.triples), Some(0));
}

/// The store's counts change the order of a plan's joins, never an answer: every named query
/// and every check gives the same rows (as a multiset) planned with the counts and without
/// them (sparopt's own guesses, as upstream plans).
#[test]
fn the_planner_counts_change_no_answer() {
    use medrd_kg::query::{catalog, output::Table};
    use oxigraph::sparql::SparqlEvaluator;
    let kb = Kb::load(Layout::new(root())).unwrap();
    let queries = kb.layout.queries();
    let all = [
        catalog::named(&queries).unwrap(),
        catalog::checks(&queries).unwrap(),
    ]
    .concat();
    assert!(all.len() > 60, "{} queries", all.len());
    let sorted = |t: Table| {
        let mut rows: Vec<String> = t.rows.iter().map(|r| format!("{r:?}")).collect();
        rows.sort();
        rows
    };
    for q in all {
        let counted = sorted(Table::collect(kb.query(&q.name, &q.text).unwrap()).unwrap());
        let mut guessed = SparqlEvaluator::new().parse_query(&q.text).unwrap();
        guessed.dataset_mut().set_default_graph_as_union();
        let guessed = sorted(
            Table::collect(guessed.on_store(kb.store().unwrap()).execute().unwrap()).unwrap(),
        );
        assert!(
            counted == guessed,
            "{}: the counts changed its answer",
            q.name
        );
    }
}
