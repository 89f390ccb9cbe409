//! Linking with the administrative project review (RS) data: reading its ZIPs and CSVs in
//! both encodings, the matcher's precision and recall on the fixture of tests/fixtures/rs/,
//! curated decisions, the linkset, the RS graph and the named queries that use them.

use crate::util::{csv, medrd, root};
use medrd_kg::link::{self, matcher, rs::RsData};
use medrd_kg::output::Table;
use medrd_kg::{Kb, Layout};
use oxigraph::io::{RdfFormat, RdfParser};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

const BASIC: &str = "1-2_RS_2024_基本情報_事業概要等";
const BUDGET: &str = "2-1_RS_2024_予算・執行_サマリ";

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/rs").join(name)
}

/// A scratch directory with the fixture in the shapes RS publishes: the basic information
/// as a ZIP of a UTF-8 (BOM) CSV, the budget summary as a Shift_JIS (CP932) CSV, bare and
/// in a ZIP.
struct RsFiles {
    dir: PathBuf,
}

impl RsFiles {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("medrd-rs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let basic = std::fs::read(fixture(&format!("{BASIC}.csv"))).unwrap();
        assert!(
            basic.starts_with(b"\xEF\xBB\xBF"),
            "the basic fixture keeps its BOM"
        );
        zip(
            &dir.join(format!("{BASIC}.zip")),
            &[
                (&format!("{BASIC}.csv"), &basic),
                ("readme.txt", b"not a CSV"),
            ],
        );
        let utf8 = std::fs::read_to_string(fixture("budget-summary.utf8.csv")).unwrap();
        let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&utf8);
        assert!(!unmappable, "the budget fixture is representable in CP932");
        std::fs::write(dir.join(format!("{BUDGET}.csv")), &sjis).unwrap();
        zip(
            &dir.join(format!("{BUDGET}.zip")),
            &[(&format!("{BUDGET}.csv"), &sjis)],
        );
        RsFiles { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn zips(&self) -> Vec<PathBuf> {
        vec![
            self.path(&format!("{BASIC}.zip")),
            self.path(&format!("{BUDGET}.zip")),
        ]
    }
}

impl Drop for RsFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn zip(path: &Path, entries: &[(&str, &[u8])]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

fn truth() -> BTreeSet<(String, String)> {
    link::read_truth(&fixture("truth.csv")).unwrap()
}

#[test]
fn zip_cp932_and_utf8_files_read_alike() {
    let files = RsFiles::new("encodings");
    let from_zips = RsData::read(&files.zips()).unwrap();
    let from_csvs = RsData::read(&[
        fixture(&format!("{BASIC}.csv")),
        files.path(&format!("{BUDGET}.csv")),
    ])
    .unwrap();
    let from_utf8 = RsData::read(&[
        fixture(&format!("{BASIC}.csv")),
        fixture("budget-summary.utf8.csv"),
    ])
    .unwrap();
    assert_eq!(from_zips.projects.len(), 21);
    for data in [&from_csvs, &from_utf8] {
        assert_eq!(
            data.projects.keys().collect::<Vec<_>>(),
            from_zips.projects.keys().collect::<Vec<_>>()
        );
        for (id, p) in &from_zips.projects {
            assert_eq!(p.budgets, data.projects[id].budgets, "budgets of {id}");
            assert_eq!(p.names, data.projects[id].names, "names of {id}");
        }
    }
    let encodings: Vec<&str> = from_zips.files.iter().map(|f| f.encoding).collect();
    assert_eq!(encodings, ["UTF-8 (BOM)", "Shift_JIS (CP932)"]);
    let dementia = &from_zips.projects["0100001"];
    // Quoted multi-line cell, BOM not part of the first column.
    assert_eq!(
        dementia.purpose,
        "認知症の予防・診断・治療法の研究開発を推進する。\n（複数行のセル）"
    );
    assert_eq!(
        dementia.names,
        [
            "認知症研究開発事業（日本医療研究開発機構）",
            "認知症研究開発事業"
        ]
    );
    assert_eq!(dementia.start_year, Some(2015));
    // （単位：千円） above the header: 1,000,000 千円 = 10億円 in yen.
    let fy2023 = &dementia.budgets[&2023];
    assert_eq!(fy2023.initial, Some(1_000_000_000));
    assert_eq!(fy2023.supplementary, Some(50_000_000));
    assert_eq!(fy2023.executed, Some(945_000_000));
    assert_eq!(fy2023.next_request, Some(1_150_000_000));
    assert_eq!(fy2023.demand, Some(200_000_000));
    assert_eq!(fy2023.execution_rate, Some(90.0));
    assert_eq!(dementia.budgets[&2024].executed, None, "「-」 is no value");
    // ▲ is a minus; 95.0% loses its sign.
    let cancer = &from_zips.projects["0100005"].budgets[&2023];
    assert_eq!(cancer.supplementary, Some(-100_000_000));
    assert_eq!(cancer.execution_rate, Some(95.0));
}

#[test]
fn a_file_without_the_rs_header_is_refused_with_its_name() {
    let dir = std::env::temp_dir().join(format!("medrd-rs-{}-bad", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("other.csv");
    std::fs::write(&bad, "a,b\n1,2\n").unwrap();
    let run = medrd(&["link", "rs", bad.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("other.csv") && run.stderr.contains("予算事業ID"),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn matcher_precision_and_recall_on_the_fixture() {
    let files = RsFiles::new("quality");
    let kb = Kb::load(Layout::new(root())).unwrap();
    let curated = matcher::read_decisions(&fixture("decisions.toml")).unwrap();
    let linked = link::link_rs(&kb, &files.zips(), &curated).unwrap();
    let by_score = matcher::quality(&linked.by_score, &truth());
    let with_curated = matcher::quality(&linked.candidates, &truth());
    println!("matcher: {by_score:?}\nwith curated decisions: {with_curated:?}");
    // By score: 13 of the 15 true pairs, one homonym wrongly exact.
    assert_eq!(
        (
            by_score.true_positives,
            by_score.predicted,
            by_score.expected
        ),
        (13, 14, 15)
    );
    assert!(
        by_score.precision >= 0.9 && by_score.recall >= 0.85,
        "{by_score:?}"
    );
    // The reviewer's three decisions fix all three.
    assert_eq!((with_curated.precision, with_curated.recall), (1.0, 1.0));
    // No distractor is ever an exact match.
    let exact: BTreeSet<&str> = linked
        .by_score
        .iter()
        .filter(|c| c.decision == matcher::Decision::Exact)
        .map(|c| c.rs_id.as_str())
        .collect();
    for distractor in ["0100007", "0100011", "0100014", "0100017", "0100018"] {
        assert!(!exact.contains(distractor), "{distractor} matched exactly");
    }
}

#[test]
fn link_rs_writes_linkset_rs_graph_report_and_quality() {
    let files = RsFiles::new("cli");
    let out = |n: &str| files.path(n).to_str().unwrap().to_owned();
    let mut args: Vec<String> = ["link", "rs"].map(String::from).to_vec();
    args.extend(files.zips().iter().map(|p| p.to_str().unwrap().to_owned()));
    args.extend([
        "-o".into(),
        out("linkset.ttl"),
        "--rs-graph".into(),
        out("rs.ttl"),
        "--report".into(),
        out("report.csv"),
        "--decisions".into(),
        fixture("decisions.toml").to_str().unwrap().into(),
        "--truth".into(),
        fixture("truth.csv").to_str().unwrap().into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = medrd(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("matcher (score only): precision 0.929 (13/14), recall 0.867 (13/15)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("with curated decisions: precision 1.000 (15/15), recall 1.000 (15/15)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Shift_JIS (CP932)") && run.stderr.contains("千円"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("program_ja") && run.stdout.contains("認知症研究開発事業"),
        "{}",
        run.stdout
    );

    let report = csv(&std::fs::read_to_string(files.path("report.csv")).unwrap());
    assert_eq!(
        report[0],
        [
            "program_ja",
            "rs_id",
            "rs_name",
            "score",
            "decision",
            "program",
            "basis"
        ]
    );
    let row = |program: &str, rs_id: &str| {
        report
            .iter()
            .find(|r| r[5] == program && r[1] == rs_id)
            .unwrap_or_else(|| panic!("no report row {program} {rs_id}"))
            .clone()
    };
    assert_eq!(row("dementia-rd", "0100001")[3..5], ["1.000", "exact"]);
    assert_eq!(
        row("translational-research", "0100013")[4..],
        ["exact", "translational-research", "curated"]
    );
    assert_eq!(row("translational-research", "0100014")[4], "close");
    assert_eq!(
        row("research-network", "0100024")[4..],
        ["unmatched", "research-network", "curated"]
    );
    assert_eq!(
        row("regenerative-practical", "0100011")[3..5],
        ["0.600", "close"],
        "same name, other ministry"
    );
    assert_eq!(row("brain-science", "")[4], "unmatched");
    let programs: BTreeSet<&str> = report[1..].iter().map(|r| r[5].as_str()).collect();
    assert_eq!(programs.len(), 52, "every program has a row");

    let linkset = std::fs::read(files.path("linkset.ttl")).unwrap();
    let triples: Vec<String> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&linkset)
        .map(|t| t.unwrap().to_string())
        .collect();
    let exact = |p: &str, r: &str| {
        format!("<https://w3id.org/medrd-kg/id/program/{p}> <http://www.w3.org/2004/02/skos/core#exactMatch> <https://w3id.org/medrd-kg/id/rs/{r}>")
    };
    let has = |t: &str| triples.iter().any(|x| x == t);
    assert!(has(&exact("dementia-rd", "0100001")));
    assert!(has(&exact("data-platform", "0100008")) && has(&exact("data-platform", "0100009")));
    assert!(!has(&exact("regenerative-practical", "0100011")));
    assert!(!has(&exact("research-network", "0100024")));
    assert!(triples.iter().any(|t| t.contains("void#Linkset")));
    let rs_graph = std::fs::read(files.path("rs.ttl")).unwrap();
    let rs_triples = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&rs_graph)
        .count();
    assert!(rs_triples > 150, "{rs_triples} RS triples");
}

#[test]
fn named_queries_use_the_linkset_and_rs_graph_loaded_with_with() {
    let files = RsFiles::new("queries");
    let linkset = files.path("linkset.ttl");
    let rs_graph = files.path("rs.ttl");
    let mut args: Vec<String> = ["link", "rs"].map(String::from).to_vec();
    args.extend(files.zips().iter().map(|p| p.to_str().unwrap().to_owned()));
    args.extend([
        "-o".into(),
        linkset.to_str().unwrap().into(),
        "--rs-graph".into(),
        rs_graph.to_str().unwrap().into(),
        "--decisions".into(),
        fixture("decisions.toml").to_str().unwrap().into(),
    ]);
    medrd(&args.iter().map(String::as_str).collect::<Vec<_>>()).ok();
    let query = |name: &str| {
        csv(&medrd(&[
            "--with",
            linkset.to_str().unwrap(),
            "--with",
            rs_graph.to_str().unwrap(),
            "query",
            name,
            "--format",
            "csv",
        ])
        .ok())
    };
    let cmp = query("rs-budget-comparison");
    assert_eq!(
        cmp[0],
        [
            "program",
            "program_ja",
            "rs_id",
            "rs_name",
            "fy2024_oku_yen",
            "rs_fy2024_request_oku_yen",
            "rs_fy2024_initial_oku_yen"
        ]
    );
    assert_eq!(cmp.len() - 1, 15, "one row per exact link");
    let dementia = cmp.iter().find(|r| r[0] == "dementia-rd").unwrap();
    // Ours: 10億円 (project 1). RS: 翌年度要求額 of FY2023 1,150,000千円, 当初 FY2024 1,150,000千円.
    assert_eq!(
        dementia[2..],
        [
            "0100001",
            "認知症研究開発事業（日本医療研究開発機構）",
            "10",
            "11.5",
            "11.5"
        ]
    );
    let cancer = cmp.iter().find(|r| r[0] == "innovative-cancer").unwrap();
    assert_eq!(
        cancer[4..],
        ["55", "85", "82"],
        "53 + 2 in projects 4 and 2"
    );

    let by_project = query("rs-execution-by-project");
    assert_eq!(
        by_project[0],
        [
            "project_no",
            "budget_year",
            "rs_programs",
            "budget_oku_yen",
            "executed_oku_yen",
            "execution_rate_percent"
        ]
    );
    // Project 1: dementia-rd (the only linked program with a FY2023 record), 10 + 0.5 budget, 9.45 spent.
    assert!(
        by_project.contains(
            &["1", "2023", "1", "10.5", "9.5", "90"]
                .map(String::from)
                .to_vec()
        ),
        "{by_project:?}"
    );
    let by_theme = query("rs-execution-by-theme");
    assert!(
        by_theme
            .iter()
            .any(|r| r[0] == "dementia" && r[1] == "2023" && r[5] == "90"),
        "{by_theme:?}"
    );

    let unlinked = query("rs-unlinked-programs");
    let names: Vec<&str> = unlinked[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names.len(),
        52 - 14,
        "52 programs, 14 with an exact link (data-platform has two)"
    );
    assert!(!names.contains(&"dementia-rd") && names.contains(&"brain-science"));
    let b_cure_tmm = unlinked.iter().find(|r| r[0] == "b-cure-tmm").unwrap();
    assert_eq!(b_cure_tmm[2], "0100015(0.8,close)");

    // The RS graph's terms are declared in ontology/rs.ttl.
    let kb = Kb::load(Layout::new(root()).with_extra([rs_graph.clone()])).unwrap();
    let undeclared = Table::collect(
        kb.query(
            "rs-declared",
            "SELECT DISTINCT ?t WHERE { GRAPH ?g { { ?s ?t ?o } UNION { ?s a ?t } }
               FILTER STRSTARTS(STR(?t), \"https://w3id.org/medrd-kg/rs#\")
               FILTER NOT EXISTS { GRAPH <https://w3id.org/medrd-kg/graph/ontology> { ?t a ?k } } }",
        )
        .unwrap(),
    )
    .unwrap();
    assert!(undeclared.rows.is_empty(), "{:?}", undeclared.texts());
}

#[test]
fn every_rs_term_is_declared_with_labels_and_comment() {
    let kb = Kb::load(Layout::new(root())).unwrap();
    for term in medrd_kg::link::rs::term::ALL {
        let q = format!(
            "ASK {{ GRAPH <https://w3id.org/medrd-kg/graph/ontology> {{
                <{t}> a ?kind ; <http://www.w3.org/2000/01/rdf-schema#label> ?ja , ?en ;
                      <http://www.w3.org/2000/01/rdf-schema#comment> ?cja , ?cen .
                FILTER (LANG(?ja) = \"ja\" && LANG(?en) = \"en\" && LANG(?cja) = \"ja\" && LANG(?cen) = \"en\") }} }}",
            t = term.as_str()
        );
        let t = Table::collect(kb.query("declared", &q).unwrap()).unwrap();
        assert_eq!(
            t.text(0, "boolean"),
            "true",
            "{term} is not declared with ja/en labels and comments"
        );
    }
}

#[test]
fn curated_decisions_file_of_the_project_parses() {
    let decisions = matcher::read_decisions(&root().join(link::DECISIONS_FILE)).unwrap();
    // Every decision names a program we have.
    let kb = Kb::load(Layout::new(root())).unwrap();
    let programs: BTreeSet<String> = matcher::programs(&kb)
        .unwrap()
        .into_iter()
        .map(|p| p.slug)
        .collect();
    for d in decisions {
        assert!(
            programs.contains(&d.program),
            "unknown program {}",
            d.program
        );
    }
}

const SERVICE_QUERY: &str = "PREFIX medrd: <https://w3id.org/medrd-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?project ?label WHERE {
  SERVICE <ENDPOINT> { <https://w3id.org/medrd-kg/id/program/dementia-rd> medrd:partOfProject ?project }
  ?project rdfs:label ?label FILTER (LANG(?label) = \"ja\")
} ORDER BY ?project";

#[test]
fn service_is_refused_without_allow_service() {
    let q = SERVICE_QUERY.replace("ENDPOINT", "http://127.0.0.1:9/sparql");
    let run = medrd(&["query", "--sparql", &q, "--format", "csv"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("SERVICE is disabled") && run.stderr.contains("--allow-service"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "nothing is printed before the refusal: {}",
        run.stdout
    );
}

#[test]
fn service_queries_a_second_medrd_serve_with_allow_service() {
    let addr = crate::util::serve(crate::util::loopback());
    let q = SERVICE_QUERY.replace("ENDPOINT", &format!("http://{addr}/sparql"));
    let rows = csv(&medrd(&[
        "--allow-service",
        "query",
        "--sparql",
        &q,
        "--format",
        "csv",
    ])
    .ok());
    // The remote answers the projects; the labels are joined from the local store.
    assert_eq!(
        rows,
        [
            vec!["project", "label"],
            vec![
                "https://w3id.org/medrd-kg/id/project/1",
                "医薬品プロジェクト"
            ],
            vec![
                "https://w3id.org/medrd-kg/id/project/4",
                "ゲノム・データ基盤プロジェクト"
            ],
            vec![
                "https://w3id.org/medrd-kg/id/project/5",
                "疾患基礎研究プロジェクト"
            ],
        ]
        .map(|r| r.into_iter().map(String::from).collect::<Vec<_>>())
    );
}

#[test]
fn link_ids_writes_only_verified_identifiers() {
    let run = medrd(&["link", "ids"]);
    let ttl = run.ok();
    let triples: Vec<String> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(ttl.as_bytes())
        .map(|t| t.unwrap().to_string())
        .collect();
    assert!(triples.contains(
        &"<https://w3id.org/medrd-kg/id/org/meti> <http://www.w3.org/2004/02/skos/core#exactMatch> <http://hojin-info.go.jp/data/basic/4000012090001>".to_owned()
    ));
    let ids = medrd_kg::link::identifiers::read(
        &root().join(medrd_kg::link::identifiers::IDENTIFIERS_FILE),
    )
    .unwrap();
    for i in &ids {
        assert!(
            i.source.starts_with("https://"),
            "{} cites a source",
            i.value
        );
    }
    // A 法人番号 with a wrong check digit is refused.
    let s = crate::util::Scratch::new("ids");
    s.replace(
        "data/identifiers.toml",
        "value = \"4000012090001\"",
        "value = \"5000012090001\"",
    );
    let run = s.medrd(&["link", "ids"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("check digit"), "{}", run.stderr);
}
