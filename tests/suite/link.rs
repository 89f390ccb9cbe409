//! Linking with the administrative project review (RS) data: reading its ZIPs and CSVs in
//! both encodings (invented rows of tests/fixtures/rs/, kept for the encodings and errors),
//! and on the committed real subset of RS 2024 and RS 2025 (data/rs-2024, data/rs-2025; truth
//! tables in tests/fixtures/rs-real/): summed
//! 2-1 rows, 5-1 recipients, typed links, precision and recall against the truth tables,
//! curated decisions, the linkset, the RS graph and the named queries that use them.

use crate::util::{csv, medrd, root};
use medrd_kg::ingest::link::{self, matcher};
use medrd_kg::ingest::rs::RsData;
use medrd_kg::query::output::Table;
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
    let dementia = &from_zips.projects["100001"];
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
    let cancer = &from_zips.projects["100005"].budgets[&2023];
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

/// The committed real subset of one RS edition (data/rs-YEAR/: 1-2, 2-1, 5-1
/// ZIPs written by scripts/rs-fixtures.py).
fn real(year: u32) -> Vec<PathBuf> {
    let dir = root().join(format!("data/rs-{year}"));
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    v.sort();
    assert_eq!(v.len(), 3, "1-2, 2-1 and 5-1 in {}", dir.display());
    v
}

fn real_truth(year: u32) -> PathBuf {
    root().join(format!("tests/fixtures/rs-real/truth-{year}.csv"))
}

fn linked_pairs(c: &[matcher::Candidate]) -> BTreeSet<(String, String, String)> {
    c.iter()
        .filter(|c| c.decision == matcher::Decision::Linked)
        .map(|c| {
            let rel = c.relation.map_or("", |r| r.as_str()).to_owned();
            (c.program.clone(), c.rs_id.clone(), rel)
        })
        .collect()
}

#[test]
fn real_2_1_account_rows_are_summed_and_5_1_recipients_read() {
    let data = RsData::read(&real(2024)).unwrap();
    // 2447 has three account rows (労災勘定, 徴収勘定, both) in 2-1; their sum is the program's
    // budgetSummary in sankey-svg-2024-graph.json.gz: initial 2,028,204,000, request
    // 2,106,548,000, executed 1,226,260,151 yen.
    let p = &data.projects["2447"];
    let b = &p.budgets[&2023];
    assert_eq!(b.initial, Some(2_028_204_000));
    assert_eq!(b.next_request, Some(2_106_548_000));
    assert_eq!(b.executed, Some(1_226_260_151));
    assert_eq!(b.review_year, Some(2024));
    // 2958, the MHLW aggregate: FY2023 initial 476.3億, FY2024 request 571.6億, one recipient.
    let agg = &data.projects["2958"];
    assert_eq!(agg.budgets[&2023].initial, Some(47_632_511_000));
    assert_eq!(agg.budgets[&2023].next_request, Some(57_159_000_000));
    assert_eq!(agg.ministry, "厚生労働省");
    assert!(agg.aggregate_evidence().unwrap().contains("別紙"));
    assert_eq!(agg.payments.len(), 1);
    assert_eq!(agg.payments[0].name, "国立研究開発法人日本医療研究開発機構");
    assert_eq!(
        agg.payments[0].corporate_number.as_deref(),
        Some("9010005023796")
    );
    assert_eq!(agg.payments[0].amount, Some(56_979_921_000));
    // 20935 (デジタルヘルスケア開発・導入加速化事業) has no 2-1 row of 予算年度 2023 in RS 2024: no
    // record, not zeros.
    assert!(data.projects["20935"].budgets.is_empty());
    // RS 2025: the aggregate's sheet no longer says 別紙 but lists the projects.
    let d25 = RsData::read(&real(2025)).unwrap();
    let agg25 = &d25.projects["2958"];
    assert_eq!(agg25.budgets[&2024].initial, Some(47_533_185_000));
    assert!(agg25.aggregate_evidence().unwrap().contains("プロジェクト"));
    // The per-project sibling sheets (budget 0) are not aggregate lines.
    assert!(d25.projects["2963"].aggregate_evidence().is_none());
}

#[test]
fn typed_links_on_the_real_subset_of_both_editions() {
    let kb = Kb::load(Layout::new(root())).unwrap();
    let ministries = matcher::ministry_names(&kb.stats, &kb.layout.queries()).unwrap();
    let programs = matcher::programs(&kb.stats, &kb.layout.queries()).unwrap();
    for year in [2024, 2025] {
        let linked = link::link_rs(kb.ours(), &real(year), &[]).unwrap();
        let truth = link::read_truth(&real_truth(year)).unwrap();
        // The rules alone miss one true link, which only the document's footnote shows
        // (data-platform → the AMED operating grant 1691); the project's curated decision
        // adds it.
        let q = matcher::quality(&linked.by_score, &truth);
        assert_eq!(
            (q.true_positives, q.predicted, q.expected, q.same_relation),
            (51, 51, 52, 51),
            "RS {year}: {q:?}"
        );
        let decisions = medrd_kg::ingest::decisions::read(&root().join(link::DECISIONS_FILE));
        let curated = link::link_rs(kb.ours(), &real(year), &decisions.unwrap().rs).unwrap();
        let q = matcher::quality(&curated.candidates, &truth);
        assert_eq!(
            (q.true_positives, q.predicted, q.expected, q.same_relation),
            (52, 52, 52, 52),
            "RS {year}, curated: {q:?}"
        );
        assert!(linked_pairs(&curated.candidates).contains(&(
            "data-platform".into(),
            "1691".into(),
            "aggregate".into()
        )));
        let pairs = linked_pairs(&linked.candidates);
        // No link across ministries.
        for (program, rs_id, _) in &pairs {
            let p = programs.iter().find(|p| &p.slug == program).unwrap();
            let code = matcher::ministry_code(&ministries, &linked.rs.projects[rs_id].ministry);
            assert!(
                code.is_some_and(|c| p.ministries.iter().any(|m| m == c)),
                "RS {year}: {program} linked to {rs_id} of another ministry"
            );
        }
        let has = |p: &str, r: &str, rel: &str| pairs.contains(&(p.into(), r.into(), rel.into()));
        let any = |p: &str, r: &str| pairs.iter().any(|x| x.0 == p && x.1 == r);
        // The three wrong links of issue 11 are not made.
        assert!(
            !any("clinical-rd-promotion", "5306"),
            "防衛省 研究開発推進事業"
        );
        assert!(
            !any("young-researchers-discovery", "3742"),
            "エネルギー・環境分野"
        );
        assert!(!any("regenerative-infrastructure", "5754"), "遺伝子治療…");
        // Typed relations of known programs.
        assert!(has("b-cure", "6844", "exact"));
        assert!(has("b-cure-tmm", "6844", "whole"));
        assert!(
            has("next-gen-drug-technology", "6047", "exact"),
            "うち sub-program"
        );
        assert!(has("data-platform", "6849", "part"));
        assert!(has("data-platform", "3585", "part"));
        assert!(has("data-platform", "2958", "aggregate"));
        assert!(has("dementia-rd", "2958", "aggregate"));
        assert!(has("young-researchers-discovery", "3516", "whole"));
        assert!(has("phr-data", "719", "whole"));
        assert!(has("child-development", "6480", "whole"));
        assert!(!pairs.iter().any(|x| x.0 == "ncbn"), "in-house, no RS line");
        // The per-project sibling sheets of 2958 are never linked.
        for sib in ["2867", "2959", "2960", "2961", "2962", "2963"] {
            assert!(!pairs.iter().any(|x| x.1 == sib), "sibling {sib} linked");
        }
    }
}

#[test]
fn curated_decisions_win_with_their_relation() {
    let kb = Kb::load(Layout::new(root())).unwrap();
    let dir = std::env::temp_dir().join(format!("medrd-rs-{}-curated", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("decisions.toml");
    std::fs::write(
        &file,
        r#"
[[decision]]
program = "dementia-rd"
rs_id = "02958"
decision = "reject"
reason = "test: a reviewer disagrees"

[[decision]]
program = "clinical-rd-promotion"
rs_id = "5306"
decision = "accept"
relation = "whole"
reason = "test: a curated decision may cross ministries"
"#,
    )
    .unwrap();
    let curated = medrd_kg::ingest::decisions::read(&file)
        .map(|d| d.rs)
        .unwrap();
    let linked = link::link_rs(kb.ours(), &real(2024), &curated).unwrap();
    let pairs = linked_pairs(&linked.candidates);
    assert!(!pairs.iter().any(|x| x.0 == "dementia-rd" && x.1 == "2958"));
    assert!(pairs.contains(&(
        "clinical-rd-promotion".into(),
        "5306".into(),
        "whole".into()
    )));
    let row = linked
        .candidates
        .iter()
        .find(|c| c.program == "dementia-rd" && c.rs_id == "2958")
        .unwrap();
    assert_eq!(
        (row.decision, row.basis),
        (matcher::Decision::Unmatched, "curated")
    );
    // A decision without a reason, or with an unknown relation, is refused.
    std::fs::write(&file, "[[decision]]\nprogram = \"b-cure\"\nrs_id = \"6844\"\ndecision = \"accept\"\nreason = \"\"\n").unwrap();
    assert!(medrd_kg::ingest::decisions::read(&file)
        .map(|d| d.rs)
        .unwrap_err()
        .to_string()
        .contains("reason"));
    std::fs::write(&file, "[[decision]]\nprogram = \"b-cure\"\nrs_id = \"6844\"\ndecision = \"accept\"\nrelation = \"same\"\nreason = \"x\"\n").unwrap();
    assert!(medrd_kg::ingest::decisions::read(&file)
        .map(|d| d.rs)
        .unwrap_err()
        .to_string()
        .contains("relation"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn link_rs_on_the_real_subset_writes_typed_linkset_report_and_quality() {
    let dir = std::env::temp_dir().join(format!("medrd-rs-{}-cli", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = |n: &str| dir.join(n).to_str().unwrap().to_owned();
    let mut args: Vec<String> = ["link", "rs"].map(String::from).to_vec();
    args.extend(real(2024).iter().map(|p| p.to_str().unwrap().to_owned()));
    args.extend([
        "-o".into(),
        out("linkset.ttl"),
        "--rs-graph".into(),
        out("rs.ttl"),
        "--report".into(),
        out("report.csv"),
        "--truth".into(),
        real_truth(2024).to_str().unwrap().into(),
    ]);
    let run = medrd(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "matcher (score only): precision 1.000 (51/51), recall 0.981 (51/52); relation as in the truth for 51/51",
        "with curated decisions: precision 1.000 (52/52), recall 1.000 (52/52); relation as in the truth for 52/52",
    ] {
        assert!(run.stderr.contains(line), "{}", run.stderr);
    }
    assert!(run.stderr.contains("recipients"), "{}", run.stderr);
    let report = csv(&std::fs::read_to_string(dir.join("report.csv")).unwrap());
    assert_eq!(report[0], link::REPORT_COLUMNS);
    let row = report
        .iter()
        .find(|r| r[6] == "hepatitis" && r[1] == "2958")
        .unwrap();
    assert_eq!(row[4..6], ["linked", "aggregate"]);
    assert!(row[8].contains("別紙"), "{row:?}");
    // Both sides' figures for the document's year, each with its stage: the document prints
    // 4億円 (概算要求・要望額) for 官民による若手研究者発掘支援事業, RS 2024 asks 17.1億 for FY2024
    // for the whole line 3516 (翌年度要求額, which includes the 要望: the same stage).
    let row = report
        .iter()
        .find(|r| r[6] == "young-researchers-discovery" && r[1] == "3516")
        .unwrap();
    assert_eq!(row[9..], ["2024", "total", "4", "total", "17.1", "-13.1"]);
    let linkset = std::fs::read(dir.join("linkset.ttl")).unwrap();
    let triples: Vec<String> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&linkset)
        .map(|t| t.unwrap().to_string())
        .collect();
    let t = |p: &str, prop: &str, r: &str| {
        format!("<https://w3id.org/medrd-kg/id/program/{p}> <{prop}> <https://w3id.org/medrd-kg/id/rs/{r}>")
    };
    let has = |x: String| triples.contains(&x);
    let rs = "https://w3id.org/medrd-kg/rs#";
    assert!(has(t("b-cure", &format!("{rs}sameBudgetLine"), "6844")));
    assert!(has(t(
        "hepatitis",
        &format!("{rs}fundedThroughAggregate"),
        "2958"
    )));
    assert!(has(t("hepatitis", &format!("{rs}linkedLine"), "2958")));
    assert!(has(t("data-platform", &format!("{rs}hasPartInRs"), "6849")));
    assert!(has(t("data-platform", &format!("{rs}linkedLine"), "6849")));
    // No SKOS mapping: programs and RS lines are not concepts.
    assert!(!triples.iter().any(
        |x| ["exactMatch", "narrowMatch", "broadMatch", "closeMatch"]
            .iter()
            .any(|m| x.contains(&format!("skos/core#{m}")))
    ));
    // The RS graph: recipients by 法人番号.
    let rs_graph = std::fs::read_to_string(dir.join("rs.ttl")).unwrap();
    assert!(rs_graph.contains("<http://hojin-info.go.jp/data/basic/9010005023796>"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn named_queries_on_the_real_subset_match_their_expected_results() {
    // `medrd link rs` on user-given files, loaded with --with into a project without the RS
    // editions of data/ (which load by default): the RS 2024 answers of with-rs-real/.
    let scratch = crate::util::Scratch::new("rs-with");
    for y in ["rs-2024", "rs-2025"] {
        std::fs::remove_dir_all(scratch.dir.join("data").join(y)).unwrap();
    }
    let dir = std::env::temp_dir().join(format!("medrd-rs-{}-queries", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let linkset = dir.join("linkset.ttl");
    let rs_graph = dir.join("rs.ttl");
    let mut args: Vec<String> = ["link", "rs"].map(String::from).to_vec();
    args.extend(real(2024).iter().map(|p| p.to_str().unwrap().to_owned()));
    args.extend([
        "-o".into(),
        linkset.to_str().unwrap().into(),
        "--rs-graph".into(),
        rs_graph.to_str().unwrap().into(),
    ]);
    scratch
        .medrd(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .ok();
    for name in [
        "rs-reconciliation",
        "rs-inference-evidence",
        "rs-budget-comparison",
        "rs-unlinked-programs",
        "rs-execution-by-project",
        "rs-execution-by-theme",
    ] {
        let actual = scratch
            .medrd(&[
                "--with",
                linkset.to_str().unwrap(),
                "--with",
                rs_graph.to_str().unwrap(),
                "query",
                name,
                "--format",
                "csv",
            ])
            .ok();
        let path = root().join(format!("tests/expected/with-rs-real/{name}.csv"));
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            actual.replace("\r\n", "\n"),
            expected.replace("\r\n", "\n"),
            "query {name} with the real RS 2024 subset differs from {}",
            path.display()
        );
    }
    let rec = csv(&std::fs::read_to_string(
        root().join("tests/expected/with-rs-real/rs-reconciliation.csv"),
    )
    .unwrap());
    // Like with like: the data platform's two named parts summed (3.07 + 1.23), B-cure once.
    let dp = rec.iter().find(|r| r[0] == "data-platform").unwrap();
    assert_eq!(dp[1..3], ["part", "3585 6849"]);
    assert_eq!(dp[6..8], ["8", "4.3"]);
    let bcure: Vec<_> = rec.iter().filter(|r| r[2] == "6844").collect();
    assert_eq!(bcure.len(), 1, "{bcure:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn broken_inputs_stop_with_file_row_and_column_and_write_nothing() {
    let dir = std::env::temp_dir().join(format!("medrd-rs-{}-broken", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let linkset = dir.join("linkset.ttl");
    let check = |file: &Path, wants: &[&str]| {
        let run = medrd(&[
            "link",
            "rs",
            file.to_str().unwrap(),
            "-o",
            linkset.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        for w in wants {
            assert!(run.stderr.contains(w), "{w:?} not in {}", run.stderr);
        }
        assert!(!linkset.exists(), "nothing written");
    };
    // Non-numeric amount: file, line 3, column 15 (当初予算（合計）).
    let bad = dir.join("2-1_bad.csv");
    let mut text = String::from("事業年度,予算事業ID,事業名,府省庁,局・庁,部,課,室,班,係,予算年度,x,y,z,当初予算（合計）,翌年度要求額（合計）\n");
    text.push_str("2024,6844,B-cure,文部科学省,,,,,,,2023,,,,100,200\n");
    text.push_str("2024,6844,B-cure,文部科学省,,,,,,,2023,,,,百円,200\n");
    std::fs::write(&bad, &text).unwrap();
    check(
        &bad,
        &["2-1_bad.csv:3", "column 15", "当初予算（合計）", "百円"],
    );
    // Unknown layout and a header without the ID column.
    let odd = dir.join("odd.csv");
    std::fs::write(&odd, "予算事業ID,色\n1,赤\n").unwrap();
    check(&odd, &["odd.csv", "unknown layout"]);
    let noid = dir.join("noid.csv");
    std::fs::write(&noid, "事業名,府省庁\nx,y\n").unwrap();
    check(&noid, &["noid.csv", "予算事業ID"]);
    // A truncated ZIP (the real 2-1 cut in half).
    let zip_bytes = std::fs::read(&real(2024)[1]).unwrap();
    let cut = dir.join("cut.zip");
    std::fs::write(&cut, &zip_bytes[..zip_bytes.len() / 2]).unwrap();
    check(&cut, &["cut.zip", "ZIP"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_zip_bomb_stops_at_the_inflation_cap_naming_the_entry() {
    let dir = std::env::temp_dir().join(format!("medrd-rs-{}-bomb", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // 64 MiB of one repeated row deflate to a few hundred KB.
    let mut csv_text = String::from("事業年度,予算事業ID,事業名,府省庁\n");
    let row = "2024,1,x,内閣府\n";
    while csv_text.len() < 64 << 20 {
        csv_text.push_str(row);
    }
    let bomb = dir.join("bomb.zip");
    zip(&bomb, &[("1-2_big.csv", csv_text.as_bytes())]);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 4 << 20);
    let run = medrd(&[
        "link",
        "rs",
        bomb.to_str().unwrap(),
        "--max-unzipped",
        "16777216",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("1-2_big.csv") && run.stderr.contains("limit"),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A ZIP may declare less than its entry inflates to: the text is cut at the limit, and the
/// row cut short there ("1,x,内閣府,20": no budget year) must not be reported in place of
/// the limit.
#[test]
fn a_zip_entry_that_lies_about_its_size_stops_at_the_limit_not_at_a_row_cut_short() {
    let dir = std::env::temp_dir().join(format!("medrd-rs-{}-lie", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let head = "予算事業ID,事業名,府省庁,予算年度,当初予算（合計）\n";
    let row = "1,x,内閣府,2024,100\n";
    let text = format!("{head}{}", row.repeat(100));
    let lie = dir.join("lie.zip");
    zip(&lie, &[("b.csv", text.as_bytes())]);
    // The declared size (local header at 22, central directory at 24) says 10 bytes.
    let mut bytes = std::fs::read(&lie).unwrap();
    for (signature, at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let start = bytes.windows(4).position(|w| w == signature).unwrap();
        bytes[start + at..start + at + 4].copy_from_slice(&10u32.to_le_bytes());
    }
    std::fs::write(&lie, bytes).unwrap();
    // The limit falls inside the sixth row, after its "20".
    let limit = head.len() + 5 * row.len() + "1,x,内閣府,20".len();
    let e = RsData::read_with_limit(std::slice::from_ref(&lie), limit as u64)
        .unwrap_err()
        .to_string();
    assert!(e.contains("ZIP entry b.csv inflates past the limit"), "{e}");
    // Within the limit, the same ZIP reads whole.
    let d = RsData::read_with_limit(&[lie], text.len() as u64).unwrap();
    assert_eq!(d.files[0].rows, 100);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_rs_term_is_declared_with_labels_and_comment() {
    let kb = Kb::load(Layout::new(root())).unwrap();
    for term in medrd_kg::ingest::rs::term::ALL {
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
    let decisions = medrd_kg::ingest::decisions::read(&root().join(link::DECISIONS_FILE)).unwrap();
    // Every decision names a program we have, or an integrated project (sheets only).
    let kb = Kb::load(Layout::new(root())).unwrap();
    let programs: BTreeSet<String> = matcher::programs(&kb.stats, &kb.layout.queries())
        .unwrap()
        .into_iter()
        .map(|p| p.slug)
        .collect();
    let projects = (1..=6).map(|n| format!("project-{n}"));
    let sheet_subjects: BTreeSet<String> = programs.iter().cloned().chain(projects).collect();
    for d in &decisions.rs {
        assert!(
            programs.contains(&d.program),
            "unknown program {}",
            d.program
        );
    }
    assert!(!decisions.sheets.is_empty());
    for d in &decisions.sheets {
        assert!(
            sheet_subjects.contains(&d.subject),
            "unknown subject {}",
            d.subject
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

/// The verified identifiers load with every store: AMED the funding agency of the document
/// is the AMED the RS payments go to, and each ministry's 法人番号 is the one the RS 5-1
/// sheets print for a payee of that ministry's name.
#[test]
fn identities_join_our_organisations_to_the_rs_payees() {
    let rows = crate::util::csv(
        &medrd(&[
            "query",
            "--sparql",
            "PREFIX owl: <http://www.w3.org/2002/07/owl#>
             PREFIX rs: <https://w3id.org/medrd-kg/rs#>
             PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
             SELECT ?org ?payee (COUNT(DISTINCT ?pay) AS ?payments) WHERE {
               ?o owl:sameAs ?h ; skos:notation ?org .
               ?pay rs:payee ?h ; rs:payeeName ?payee .
             } GROUP BY ?org ?payee ORDER BY ?org ?payee",
            "--format",
            "csv",
        ])
        .ok(),
    );
    // A bureau pays under its ministry's number (沖縄総合事務局 under 内閣府's).
    let names = |org: &str| -> Vec<&str> {
        rows[1..]
            .iter()
            .filter(|r| r[0] == org)
            .map(|r| r[1].as_str())
            .collect()
    };
    for (org, name) in [
        ("amed", "国立研究開発法人日本医療研究開発機構"),
        ("cao", "内閣府"),
        ("meti", "経済産業省"),
        ("mext", "文部科学省"),
        ("mhlw", "厚生労働省"),
    ] {
        assert!(names(org).contains(&name), "{org}: {:?}", names(org));
    }
    let amed = rows.iter().find(|r| r[0] == "amed").unwrap();
    // Every payment to AMED: 71 rows of the RS 2024 and 2025 subsets' 5-1 sheets and 86 支出先
    // rows of the committed review sheets.
    assert_eq!(amed[2], "157", "{rows:?}");
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
        &"<https://w3id.org/medrd-kg/id/org/meti> <http://www.w3.org/2002/07/owl#sameAs> <http://hojin-info.go.jp/data/basic/4000012090001>".to_owned()
    ));
    let ids = medrd_kg::ingest::link::identifiers::read(
        &root().join(medrd_kg::ingest::link::identifiers::IDENTIFIERS_FILE),
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
