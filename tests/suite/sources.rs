//! Many sources side by side (issue 12): the document, RS 2024 and RS 2025 as named graphs
//! with their DCAT/PROV description, a second document folder loaded with no code change,
//! and programs followed through the whole chain — document, RS request, initial budget,
//! execution, next request, recipients — with figures read by hand from the real RS data
//! (`/work/rsraw/sankey-svg-20XX-graph.json.gz`, `budgetSummary` and the 5-1 edges).

use crate::util::{csv, medrd, query, Scratch};

/// The rows of `program-timeline` for one program, as (fiscal_year, stage, amount, source).
fn timeline(rows: &[Vec<String>], program: &str) -> Vec<(String, String, String, String)> {
    rows.iter()
        .filter(|r| r[0] == program)
        .map(|r| (r[2].clone(), r[3].clone(), r[5].clone(), r[6].clone()))
        .collect()
}

fn row(fy: &str, stage: &str, oku: &str, source: &str) -> (String, String, String, String) {
    (fy.into(), stage.into(), oku.into(), source.into())
}

#[test]
fn medical_device_seeds_through_the_whole_chain() {
    // 6843 文部科学省 医療機器等研究成果展開事業 (exact): RS 2024 budgetSummary fiscalYear 2023
    // initialBudget 1,023,500,000, executedAmount 1,023,500,000, nextYearRequest
    // 1,216,000,000; RS 2025 fiscalYear 2024 initialBudget 1,091,832,000, executedAmount
    // 1,091,832,000, nextYearRequest 1,204,832,000. The document prints 12億円 (line 152).
    // Its review sheet of 2023 (data/judgit/sheets/2023/文部科学省/2023-文科-22-0298.json, the
    // line RS 6843 continues) prints FY2020–2023 当初 1,230 / 862 / 1,072 / 1,024, 執行
    // 1,218 / 869 / 1,077 and FY2024 要求 1,216 百万円: a row per figure, never summed with RS.
    let rows = query("program-timeline");
    assert_eq!(
        timeline(&rows, "medical-device-seeds"),
        vec![
            row("2020", "initial", "12.3", "judgit-2023"),
            row("2020", "execution", "12.18", "judgit-2023"),
            row("2021", "initial", "8.62", "judgit-2023"),
            row("2021", "execution", "8.69", "judgit-2023"),
            row("2022", "initial", "10.72", "judgit-2023"),
            row("2022", "execution", "10.77", "judgit-2023"),
            row("2023", "initial", "10.24", "judgit-2023"),
            row("2023", "initial", "10.235", "rs-2024"),
            row("2023", "execution", "10.235", "rs-2024"),
            // RS's 翌年度要求額 includes the 要望: the document's 概算要求・要望額 (total).
            row("2024", "total", "12", "fy2024-request"),
            row("2024", "total", "12.16", "judgit-2023"),
            row("2024", "total", "12.16", "rs-2024"),
            row("2024", "initial", "10.91832", "rs-2025"),
            row("2024", "execution", "10.91832", "rs-2025"),
            row("2025", "total", "12.04832", "rs-2025"),
        ]
    );
    let doc = rows
        .iter()
        .find(|r| r[0] == "medical-device-seeds" && r[6] == "fy2024-request")
        .unwrap();
    assert_eq!(doc[8], "line 152");
    assert_eq!(
        doc[7],
        "令和6年度 医療分野の研究開発関連予算 概算要求のポイント"
    );
    let rs = rows
        .iter()
        .find(|r| r[0] == "medical-device-seeds" && r[2] == "2025")
        .unwrap();
    assert!(
        rs[8].starts_with("RS 6843 医療機器等研究成果展開事業 (exact)"),
        "{rs:?}"
    );
}

#[test]
fn b_cure_and_a_meti_program_have_their_rs_figures() {
    let rows = query("program-timeline");
    // 6844 B-cure: RS 2024 nextYearRequest 5,374,… (53.74億, document 54億).
    let b = timeline(&rows, "b-cure");
    assert!(
        b.contains(&row("2024", "total", "54", "fy2024-request")),
        "{b:?}"
    );
    assert!(
        b.iter()
            .any(|r| r.0 == "2024" && r.1 == "total" && r.2.starts_with("53.7")),
        "{b:?}"
    );
    // 3540 経済産業省 医療機器等における先進的研究開発: FY2024 request 42.0億 in RS 2024,
    // FY2025 request 0 in RS 2025 (its successor is a new line), FY2024 initial 36.5億.
    let a = timeline(&rows, "advanced-medical-devices");
    assert!(a.contains(&row("2024", "total", "42", "rs-2024")), "{a:?}");
    assert!(a.contains(&row("2025", "total", "0", "rs-2025")), "{a:?}");
    assert!(
        a.contains(&row("2024", "initial", "36.5", "rs-2025")),
        "{a:?}"
    );
    // The 0 is not a cut: RS 2025's new line 19775 医療・健康推進事業(うち次世代型医療機器開発等
    // 促進事業) takes the work over (2-1: FY2025 request 2,400,000,000), a curated succession
    // of data/link-decisions.toml; its figures are marked as a successor's, not the program's.
    let successor: Vec<_> = rows
        .iter()
        .filter(|r| r[0] == "advanced-medical-devices" && r[8].starts_with("RS 19775 "))
        .collect();
    assert!(
        successor
            .iter()
            .any(|r| r[2] == "2025" && r[3] == "total" && r[5] == "24"),
        "{successor:?}"
    );
    assert!(
        successor
            .iter()
            .all(|r| r[8].contains("successor: a new program's line taking over RS 3540")),
        "{successor:?}"
    );
    // A program linked only through the MHLW aggregate gets no RS figure of its own.
    assert!(timeline(&rows, "dementia-rd")
        .iter()
        .all(|r| r.3 == "fy2024-request"));
}

#[test]
fn recipients_are_merged_by_corporate_number_and_counted_once() {
    let rows = query("top-recipients");
    assert_eq!(
        rows[0],
        [
            "fiscal_year",
            "corporate_number",
            "recipient",
            "recipient_iri",
            "amount_yen",
            "programs"
        ]
    );
    // AMED (法人番号 9010005023796) first in each year it was paid: FY2014–2022 from the
    // review sheets of 2015–2023, FY2023 from RS 2024's 5-1 rows, FY2024 from RS 2025's; the
    // years are never added up.
    let amed: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == "9010005023796").collect();
    assert_eq!(
        amed.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
        ["2015", "2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024"]
    );
    for a in amed.iter().filter(|a| a[0].as_str() >= "2023") {
        assert_eq!(a[2], "国立研究開発法人日本医療研究開発機構");
        assert_eq!(a[3], "http://hojin-info.go.jp/data/basic/9010005023796");
        assert!(a[5].split(' ').any(|p| p == "medical-device-seeds"));
        let first = rows.iter().find(|r| r[0] == a[0]).unwrap();
        assert_eq!(first, *a, "AMED leads FY{}", a[0]);
    }
    // Recipients of 6843 alone: AMED, 1,023,500,000 (paid FY2023, RS 2024) and
    // 1,091,832,000 (FY2024, RS 2025).
    let one = csv(&medrd(&[
        "query",
        "--sparql",
        "PREFIX rs: <https://w3id.org/medrd-kg/rs#>
         SELECT ?cn ?fy (SUM(?yen) AS ?total) WHERE {
           ?pay rs:paymentOf <https://w3id.org/medrd-kg/id/rs/6843> ; rs:amount ?yen ;
                rs:paymentYear ?fy ; rs:payee/rs:corporateNumber ?cn } GROUP BY ?cn ?fy ORDER BY ?fy",
        "--format",
        "csv",
    ])
    .ok());
    assert_eq!(one[1], ["9010005023796", "2023", "1023500000"]);
    assert_eq!(one[2], ["9010005023796", "2024", "1091832000"]);
    // The aggregate 2958 stands behind 26 programs; its payment to AMED is added once: AMED's
    // sum for a year equals the sum over the distinct linked lines' payments to it that year.
    for a in &amed {
        let distinct = csv(&medrd(&[
            "query",
            "--sparql",
            &format!(
                "PREFIX rs: <https://w3id.org/medrd-kg/rs#>
                 SELECT (SUM(?yen) AS ?total) WHERE {{
                   {{ SELECT DISTINCT ?pay WHERE {{
                       ?p rs:linkedLine ?r .
                       ?pay a rs:Payment ; rs:paymentOf ?r ; rs:paymentYear \"{}\"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
                            rs:payee/rs:corporateNumber \"9010005023796\" }} }}
                   ?pay rs:amount ?yen }}",
                a[0]
            ),
            "--format",
            "csv",
        ])
        .ok());
        assert_eq!(a[4], distinct[1][0], "FY{}", a[0]);
    }
    // Anonymised recipients (研究者A of こども家庭庁's 6480, in both editions) are never one
    // recipient: a row per payment, none with a 法人番号 or an IRI.
    let researchers: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == "研究者A").collect();
    assert_eq!(researchers.len(), 2, "{researchers:?}");
    assert!(researchers
        .iter()
        .all(|r| r[1].is_empty() && r[3].is_empty()));
    assert_ne!(
        researchers[0][0], researchers[1][0],
        "one per year, not merged"
    );
}

#[test]
fn recipients_by_program_project_and_theme() {
    let rows = query("recipients-by-scope");
    let find = |kind: &str, scope: &str| -> Vec<&Vec<String>> {
        rows.iter()
            .filter(|r| r[0] == kind && r[1] == scope)
            .collect()
    };
    // 医療機器等研究成果展開事業 (RS 6843): AMED only, 1,023,500,000 yen paid in FY2023 and
    // 1,091,832,000 in FY2024, a row per year.
    // Through the review sheets: FY2022 from its own sheet of 2023 (2023-文科-22-0298, 執行
    // 1,077 百万円 to AMED), FY2019–2021 through MEXT's aggregate 医療分野の研究開発の推進 (AMED
    // and AMED's own recipients, via_aggregate yes).
    let all = find("program", "medical-device-seeds");
    let amed_2022 = all
        .iter()
        .find(|r| r[2] == "2022" && r[3] == "9010005023796")
        .unwrap();
    assert_eq!(amed_2022[6..], ["1077000000", "1", "no"]);
    assert!(all
        .iter()
        .filter(|r| r[2].as_str() < "2022")
        .all(|r| r[8] == "yes"));
    let mds: Vec<&&Vec<String>> = all.iter().filter(|r| r[2].as_str() >= "2023").collect();
    assert_eq!(mds.len(), 2, "{mds:?}");
    assert_eq!(
        mds[0][2..],
        [
            "2023",
            "9010005023796",
            "国立研究開発法人日本医療研究開発機構",
            "http://hojin-info.go.jp/data/basic/9010005023796",
            "1023500000",
            "1",
            "no"
        ]
    );
    assert_eq!(mds[1][2], "2024");
    assert_eq!(mds[1][6], "1091832000");
    // Project 2 (medical devices): NEDO (法人番号 2020005008480) besides AMED, through METI's
    // line of young-researchers-discovery. MHLW's aggregate 2958 is no project's money: it is
    // not in project 2's sum (before, its 552.5億 to AMED stood in every project).
    let p2 = find("project", "2");
    assert_eq!(p2[0][3], "9010005023796");
    assert!(p2.iter().all(|r| r[8] == "no"), "{p2:?}");
    let amed_2024: i64 = p2
        .iter()
        .find(|r| r[2] == "2024" && r[3] == "9010005023796")
        .unwrap()[6]
        .parse()
        .unwrap();
    assert!(
        amed_2024 < 10_000_000_000,
        "project 2's AMED money in FY2024: {amed_2024}"
    );
    assert!(p2
        .iter()
        .any(|r| r[3] == "2020005008480"
            && r[4] == "国立研究開発法人新エネルギー・産業技術総合開発機構"));
    // Within a scope and year, largest first.
    for scope in [p2, find("program", "child-development")] {
        for year in ["2023", "2024"] {
            let amounts: Vec<i64> = scope
                .iter()
                .filter(|r| r[2] == year)
                .map(|r| r[6].parse().unwrap())
                .collect();
            assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "{amounts:?}");
        }
    }
    // A program or theme funded through MHLW's 2958 has its recipients, and says so.
    let dementia = find("theme", "dementia");
    assert!(
        !dementia.is_empty() && dementia[0][8] == "yes",
        "{dementia:?}"
    );
}

#[test]
fn each_source_is_a_named_graph_with_its_description() {
    let rows = csv(&medrd(&[
        "query",
        "--sparql",
        "PREFIX dcat: <http://www.w3.org/ns/dcat#>
         PREFIX dcterms: <http://purl.org/dc/terms/>
         PREFIX prov: <http://www.w3.org/ns/prov#>
         PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
         SELECT ?g ?slug WHERE { GRAPH ?g { ?g a dcat:Dataset ; prov:wasDerivedFrom ?s .
           ?s skos:notation ?slug ; dcterms:publisher ?pub ; dcterms:title ?t } }
         GROUP BY ?g ?slug ORDER BY ?slug",
        "--format",
        "csv",
    ])
    .ok());
    let slugs: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    let judgit: Vec<String> = (2015..=2023).map(|y| format!("judgit-{y}")).collect();
    let mut want = vec!["fy2024-request"];
    want.extend(judgit.iter().map(String::as_str));
    want.extend(["rs-2024", "rs-2025"]);
    assert_eq!(slugs, want);
    for r in &rows[1..] {
        // The review sheets are one graph with a source per edition.
        let graph = r[1]
            .strip_prefix("judgit-")
            .map_or(r[1].as_str(), |_| "judgit");
        assert_eq!(r[0], format!("https://w3id.org/medrd-kg/graph/{graph}"));
    }
}

/// A second document, made for the test: two programs (one also in the FY2024 summary), a
/// different fiscal year, its own text. It loads beside the real data with no code change.
#[test]
fn a_second_document_folder_loads_with_no_code_change() {
    let s = Scratch::new("second-source");
    let budget = |more: &[&str]| {
        let mut args = vec!["diagram", "budget", "--format", "dot"];
        args.extend_from_slice(more);
        s.medrd(&args)
    };
    let budget_2024 = budget(&[]).ok();
    let dir = s.dir.join("data/fy2025-mini");
    std::fs::create_dir_all(&dir).unwrap();
    let text = "令和7年度 テスト資料 概算要求のポイント\n\n医療機器等研究成果展開事業 13億円\nテスト新規事業 2億円\n医療機器等研究成果展開事業 前年度予算額 11億円\n";
    std::fs::write(dir.join("mini.ja.txt"), text).unwrap();
    std::fs::write(
        dir.join("source.toml"),
        r#"kind = "document"
[document]
id = "fy2025-mini"
ja = "令和7年度 テスト資料 概算要求のポイント"
en = "Test summary of the FY2025 request"
publisher = "hhp"
fiscal_year = 2025
text_file = "mini.ja.txt"
licence = "https://creativecommons.org/licenses/by/4.0/"
licence_note = "test"
line = 1

[[section]]
id = "all"
ja = "全体"
en = "All"
lines = [1, 5]
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("programs.toml"),
        r#"[[program]]
id = "medical-device-seeds"
ja = "医療機器等研究成果展開事業"
en = "Deployment of Research Results for Medical Devices"
ministries = ["mext"]

[[program]]
id = "test-new"
ja = "テスト新規事業"
en = "Test new program"
ministries = ["mext"]
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("overview.toml"),
        r#"table = []
item = []

[[amount]]
id = "fy2025-mini-seeds"
for = "medical-device-seeds"
kind = "total"
oku = 13
line = 3

[[amount]]
id = "fy2025-mini-new"
for = "test-new"
kind = "total"
oku = 2
line = 4

[[amount]]
id = "fy2025-mini-seeds-before"
for = "medical-device-seeds"
kind = "initial"
fiscal_year = 2024
oku = 11
line = 5
"#,
    )
    .unwrap();
    std::fs::write(dir.join("links.toml"), "linkage = []\nfeeds = []\n").unwrap();

    let rows = csv(&s
        .medrd(&["query", "program-timeline", "--format", "csv"])
        .ok());
    let seeds = timeline(&rows, "medical-device-seeds");
    assert!(
        seeds.contains(&row("2025", "total", "13", "fy2025-mini")),
        "{seeds:?}"
    );
    // The FY2024 figures are still there, each once (the program's name, stated by both
    // documents, is kept in the first graph only, so no row is doubled).
    assert!(seeds.contains(&row("2024", "total", "12", "fy2024-request")));
    // The new document's own figure of the year before stands beside them, cited to it.
    assert!(seeds.contains(&row("2024", "initial", "11", "fy2025-mini")));
    // 9 rows of the documents and RS, 8 of the 2023 review sheet.
    assert_eq!(seeds.len(), 17, "{seeds:?}");
    assert_eq!(
        timeline(&rows, "test-new"),
        vec![row("2025", "total", "2", "fy2025-mini")]
    );
    let new = rows.iter().find(|r| r[0] == "test-new").unwrap();
    assert_eq!(new[7], "令和7年度 テスト資料 概算要求のポイント");
    assert_eq!(new[8], "line 4");
    // The explorer quotes each statement from its own document: line 4 of the test text,
    // not line 4 of the FY2024 summary.
    let base = format!(
        "http://{}",
        crate::util::serve_root(&s.dir, crate::util::loopback())
    );
    let (status, _, table) =
        super::explorer::get_from(&base, "/explore/program/test-new?format=csv");
    assert_eq!(status, 200, "{table}");
    let table = csv(&table);
    let quoted = table[0].iter().position(|c| c == "source_line").unwrap();
    assert_eq!(table.len(), 2, "{table:?}");
    assert_eq!(table[1][quoted], "テスト新規事業 2億円");
    // A program both documents list: its page says what the view's document says, not the
    // two documents' lines together.
    let said = |query: &str| -> Vec<String> {
        let (status, _, body) = super::explorer::get_from(
            &base,
            &format!("/explore/program/medical-device-seeds?format=csv{query}"),
        );
        assert_eq!(status, 200, "{body}");
        let rows = csv(&body);
        let quoted = rows[0].iter().position(|c| c == "source_line").unwrap();
        rows[1..].iter().map(|r| r[quoted].clone()).collect()
    };
    assert_eq!(
        said(""),
        [
            "医療機器等研究成果展開事業 13億円",
            "医療機器等研究成果展開事業 前年度予算額 11億円"
        ]
    );
    let fy2024 = said("&fy=2024");
    assert!(!fy2024.is_empty());
    assert!(
        fy2024
            .iter()
            .all(|l| !l.starts_with("医療機器等研究成果展開事業 13")
                && !l.starts_with("医療機器等研究成果展開事業 前年度")),
        "{fy2024:?}"
    );
    assert!(
        fy2024
            .iter()
            .any(|l| l.contains("医療機器等研究成果展開事業")),
        "{fy2024:?}"
    );
    // Its pages show one fiscal year at a time, the newest document's by default, and never
    // add two years' figures up (医療機器等研究成果展開事業 was 12 + 13 = 25 before), nor the
    // FY2024 figure the new document prints (11) to the FY2024 document's own (12).
    let figures = |query: &str| -> Vec<(String, String)> {
        let (status, _, body) =
            super::explorer::get_from(&base, &format!("/explore/programs?format=csv{query}"));
        assert_eq!(status, 200, "{body}");
        let rows = csv(&body);
        let slug = rows[0].iter().position(|c| c == "slug").unwrap();
        let oku = rows[0].iter().position(|c| c == "figure_oku_yen").unwrap();
        let mut found: Vec<(String, String)> = rows[1..]
            .iter()
            .filter(|r| r[slug] == "medical-device-seeds" || r[slug] == "test-new")
            .map(|r| (r[slug].clone(), r[oku].clone()))
            .collect();
        found.sort();
        found
    };
    let pair = |slug: &str, oku: &str| (slug.to_owned(), oku.to_owned());
    assert_eq!(
        figures(""),
        [pair("medical-device-seeds", "13"), pair("test-new", "2")]
    );
    assert_eq!(
        figures("&fy=2024"),
        [pair("medical-device-seeds", "12"), pair("test-new", "")]
    );
    let (status, _, home) = super::explorer::get_from(&base, "/explore?fy=2024&lang=en");
    assert_eq!(status, 200);
    assert!(
        home.contains("<h1>Key points of the FY2024 budget request"),
        "{home}"
    );
    assert!(home.contains("aria-label=\"Fiscal year\""), "{home}");
    let (_, _, home) = super::explorer::get_from(&base, "/explore");
    assert!(
        home.contains("<h1>令和7年度 テスト資料 概算要求のポイント</h1>"),
        "{home}"
    );
    // A view that is not on the default year keeps it: in its forms and in its links (the
    // year before any #fragment).
    let (_, _, table_page) = super::explorer::get_from(&base, "/explore/programs?fy=2024");
    assert!(
        table_page.contains("<input type=\"hidden\" name=\"fy\" value=\"2024\">"),
        "{table_page}"
    );
    let (_, _, hits) = super::explorer::get_from(
        &base,
        "/explore/search?format=json&fy=2024&q=%E5%8C%BB%E7%99%82%E6%A9%9F%E5%99%A8",
    );
    let hits: serde_json::Value = serde_json::from_str(&hits).unwrap();
    let hrefs: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["href"].as_str().unwrap())
        .collect();
    assert!(
        hrefs.contains(&"/explore/program/medical-device-seeds?fy=2024"),
        "{hrefs:?}"
    );
    assert!(
        hrefs.iter().all(|h| h.contains("fy=2024")
            && !h.contains("#fy")
            && h.find('#').is_none_or(|i| h.find("fy=2024").unwrap() < i)),
        "{hrefs:?}"
    );
    let (status, _, refused) = super::explorer::get_from(&base, "/explore/programs?fy=2023");
    assert_eq!(status, 400);
    assert!(
        refused.contains("the documents give 2024, 2025"),
        "{refused}"
    );
    // The home page's captions say what the view's document totals (its source.toml, with a
    // plain word where it does not say), and its diagram links keep the view's year.
    let (_, _, home) = super::explorer::get_from(&base, "/explore?fy=2024");
    assert!(
        home.contains("統合プロジェクト（令和6年度 概算要求・要望額、億円）"),
        "{home}"
    );
    assert!(
        home.contains("/diagram/overview?lang=ja&amp;fy=2024"),
        "{home}"
    );
    let (_, _, home) = super::explorer::get_from(&base, "/explore?lang=en");
    assert!(
        home.contains("The integrated projects (FY2025 amounts, ¥100M)"),
        "{home}"
    );
    assert!(home.contains("/diagram/overview?lang=en\""), "{home}");
    // The budget diagram is one document's: FY2024's is as it was before the second folder
    // came (not the two documents' figures together), and the newest document, which prints
    // no overview table, has no money to draw.
    assert_eq!(budget(&["--fy", "2024"]).ok(), budget_2024);
    assert!(budget_2024.contains("令和6年度概算要求 — 予算の流れ（億円）"));
    assert!(budget_2024.contains("令和6年度 概算要求・要望額、再掲・内訳は数えない"));
    assert!(budget_2024.contains("厚生労働省") && budget_2024.contains("->"));
    let newest = budget(&[]).ok();
    assert!(
        newest.contains("令和7年度 テスト資料 概算要求のポイント — 予算の流れ（億円）"),
        "{newest}"
    );
    assert!(
        !newest.contains("厚生労働省") && !newest.contains("->"),
        "{newest}"
    );
    assert!(newest.contains("この資料には総括表の額（府省庁別・経費区分別）がない。"));
    let unknown = budget(&["--fy", "2023"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stdout);
    assert!(
        unknown
            .stderr
            .contains("no document of fiscal year 2023: the documents give 2024, 2025"),
        "{}",
        unknown.stderr
    );
    let (status, _, refused) = super::explorer::get_from(&base, "/diagram/budget?fy=2023");
    assert_eq!(status, 400, "{refused}");
    // Its facts are in its own graph; today's named queries keep their answers.
    let g = csv(&s
        .medrd(&[
            "query",
            "--sparql",
            "SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/medrd-kg/id/program/test-new> ?p ?o } } GROUP BY ?g",
            "--format",
            "csv",
        ])
        .ok());
    assert_eq!(g[1], ["https://w3id.org/medrd-kg/graph/fy2025-mini"]);
    let before = query("project-budgets");
    let after = csv(&s
        .medrd(&["query", "project-budgets", "--format", "csv"])
        .ok());
    assert_eq!(before, after);
    // Its figures are checked against its own text like the first document's (its checks
    // of project membership fail: the test document has no projects).
    let v = s.medrd(&["validate"]);
    let all = format!("{}{}", v.stdout, v.stderr);
    assert!(all.contains("ok    source-lines"), "{all}");
    assert!(all.contains("ok    labels-violation"), "{all}");
    s.replace("data/fy2025-mini/overview.toml", "oku = 13", "oku = 14");
    let v = s.medrd(&["validate"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert!(
        v.stdout
            .lines()
            .any(|l| l.starts_with("source-lines:") && l.contains("fy2025-mini/overview.toml")),
        "{}",
        v.stdout
    );
}

#[test]
fn an_unknown_source_kind_is_refused_with_the_file() {
    let s = Scratch::new("bad-kind");
    std::fs::create_dir_all(s.dir.join("data/other")).unwrap();
    s.write("data/other/source.toml", "kind = \"spreadsheet\"\n");
    let r = s.medrd(&["stats"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("data/other/source.toml") && r.stderr.contains("spreadsheet"),
        "{}",
        r.stderr
    );
}

/// A source's folder names its graph (`graph/SLUG`): a name that would make that IRI invalid,
/// or take the graph of the ontology, the links or the `--with` files, is refused with the
/// file, before anything is loaded.
#[test]
fn a_source_folder_whose_name_cannot_be_its_graph_is_refused() {
    for (folder, said) in [
        ("links", "is taken"),
        ("ontology", "is taken"),
        ("my source", "use ASCII letters"),
        ("出典", "use ASCII letters"),
        ("-x", "use ASCII letters"),
    ] {
        let s = Scratch::new("bad-slug");
        std::fs::create_dir_all(s.dir.join("data").join(folder)).unwrap();
        s.write(
            &format!("data/{folder}/source.toml"),
            "kind = \"document\"\n",
        );
        let r = s.medrd(&["stats"]);
        assert_eq!(r.code, 2, "{folder}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("data/{folder}/source.toml")) && r.stderr.contains(said),
            "{folder}: {}",
            r.stderr
        );
    }
}

/// With a bad file in `data/` and a bad `--with` file both, the data's error is the one
/// reported, with its file and line: our graphs are made beside the store's insert, after
/// the `--with` files are looked at, and a bad source still comes first.
#[test]
fn a_bad_source_is_reported_before_a_bad_with_file() {
    let s = Scratch::new("data-first");
    s.replace(
        "data/identifiers.toml",
        "scheme = \"houjin-bangou\"",
        "scheme = [\"houjin-bangou\"",
    );
    let missing = s.dir.join("no-such-file.ttl");
    let r = s.medrd(&["--with", missing.to_str().unwrap(), "stats"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("identifiers.toml:"), "{}", r.stderr);
    assert!(!r.stderr.contains("no-such-file.ttl"), "{}", r.stderr);
    // Alone, the --with file is named.
    let s = Scratch::new("with-alone");
    let r = s.medrd(&["--with", missing.to_str().unwrap(), "stats"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no-such-file.ttl"), "{}", r.stderr);
}
