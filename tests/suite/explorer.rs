//! The explorer of `medrd serve` (`/explore…`, issue 14): its pages give the document's real
//! answers, search is ranked and NFKC-tolerant, and the CSV and JSON downloads of a table
//! carry the same rows.

use std::sync::OnceLock;
use std::time::Duration;

pub(super) fn base_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| format!("http://{}", crate::util::serve(crate::util::loopback())))
}

/// GET a path (already percent-encoded where needed): status, content type, body.
pub(super) fn get(path: &str) -> (u16, String, String) {
    get_from(base_url(), path)
}

pub(super) fn get_from(base: &str, path: &str) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut r = agent
        .get(&format!("{base}{path}"))
        .call()
        .expect("the request gets an answer");
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = r.body_mut().read_to_string().expect("a text body");
    (r.status().as_u16(), content_type, body)
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The search hits (kind, key) for a query, best first.
fn search(q: &str) -> Vec<(String, String)> {
    let (status, content_type, body) = get(&format!("/explore/search?format=json&q={}", enc(q)));
    assert_eq!(status, 200, "{body}");
    assert_eq!(content_type, "application/json");
    let hits: serde_json::Value = serde_json::from_str(&body).unwrap();
    hits.as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["kind"].as_str().unwrap().to_owned(),
                h["key"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn program_page_reads_the_document() {
    let (status, content_type, page) = get("/explore/program/dementia-rd");
    assert_eq!(status, 200, "{page}");
    assert!(content_type.starts_with("text/html"));
    assert!(page.contains("<h1>認知症研究開発事業</h1>"));
    assert!(page.contains("厚生労働省"), "its ministry");
    for (n, name) in [
        (1, "医薬品プロジェクト"),
        (4, "ゲノム・データ基盤プロジェクト"),
        (5, "疾患基礎研究プロジェクト"),
    ] {
        assert!(
            page.contains(&format!("href=\"/explore/project/{n}\">{n}. {name}</a>")),
            "project {n} is listed"
        );
    }
    assert!(!page.contains("href=\"/explore/project/2\""));
    // Its initiatives with their marks, and the source line quoted from the document.
    assert_eq!(page.matches("mark mark-new\">【新規】").count(), 4);
    assert!(page.contains("<span class=\"ln\">L418</span><q>- ✓ **【新規】認知症研究の基盤として"));
    // Its figure (10億円 in project 4, line 345) with the printed line.
    assert!(page.contains("<q>概算要求額 10億円</q>"));
    assert!(page.contains("src=\"/diagram/program/dementia-rd?lang=ja\""));
    assert!(page.contains("href=\"/id/program/dementia-rd?format=ttl\""));
    // The SPARQL behind it, with the program bound, and a link that opens it in the console.
    assert!(
        page.contains("&lt;https://w3id.org/medrd-kg/id/program/dementia-rd&gt; a medrd:Program")
    );
    assert!(page.contains("class=\"console\" href=\"/?query=%23%2B+summary"));
    let (status, _, diagram) = get("/diagram/program/dementia-rd?format=dot");
    assert_eq!(status, 200, "{diagram}");
    assert!(diagram.contains("\"id:org/mhlw\" -> \"id:program/dementia-rd\""));
    assert!(diagram.contains("\"id:program/dementia-rd\" -> \"id:project/5\""));
}

#[test]
fn program_page_says_what_is_inferred() {
    // The document prints no ministry for 女性の健康 programs: the page says it is inferred.
    let (status, _, page) = get("/explore/program/womens-health?lang=en");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("<span class=\"badge\">inferred</span>"));
    assert!(page.contains("grouped with MHLW programs under one 33億円 figure"));
    let (_, _, printed) = get("/explore/program/dementia-rd?lang=en");
    assert!(printed.contains("Nothing: every fact on this page is printed in the document."));
}

#[test]
fn search_ranks_exact_then_prefix_then_substring_programs_first() {
    let hits = search("認知症");
    // The theme named exactly 認知症 first, then the program whose name starts with it.
    assert_eq!(hits[0], ("theme".to_owned(), "dementia".to_owned()));
    assert_eq!(hits[1], ("program".to_owned(), "dementia-rd".to_owned()));
    let first_initiative = hits.iter().position(|(k, _)| k == "initiative").unwrap();
    let last_program = hits.iter().rposition(|(k, _)| k == "program").unwrap();
    assert!(last_program < first_initiative || hits[last_program].1 == "dementia-rd");
    // English names too, in any case.
    assert_eq!(search("dementia research")[0].1, "dementia-rd");
    assert!(search("no such thing at all").is_empty());
    assert!(search("").is_empty());
}

/// Issue 23: a project is found by its Japanese name (the index took its description for it),
/// each project by its own name first.
#[test]
fn projects_are_found_by_their_japanese_names() {
    let table = crate::util::query("project-budgets");
    let (no, ja) = (
        table[0].iter().position(|c| c == "project_no").unwrap(),
        table[0].iter().position(|c| c == "project_ja").unwrap(),
    );
    assert_eq!(table.len(), 7, "six projects");
    for row in &table[1..] {
        let hits = search(&row[ja]);
        assert_eq!(
            hits[0],
            ("project".to_owned(), row[no].clone()),
            "{}",
            row[ja]
        );
    }
}

#[test]
fn search_is_nfkc_and_space_tolerant() {
    assert_eq!(search("ＤＥＭＥＮＴＩＡ"), search("dementia"));
    // Half-width katakana and full-width katakana find the same initiatives.
    let half = search("ｱﾙﾂﾊｲﾏｰ");
    assert!(!half.is_empty());
    assert_eq!(half, search("アルツハイマー"));
    assert_eq!(search("認知症 研究 開発")[0].1, "dementia-rd");
}

#[test]
fn search_page_works_without_script() {
    let (status, _, page) = get(&format!("/explore/search?q={}", enc("認知症")));
    assert_eq!(status, 200);
    assert!(page.contains("<label for=\"q\">"));
    assert!(page.contains("value=\"認知症\""));
    assert!(page.contains("<a href=\"/explore/program/dementia-rd\">認知症研究開発事業</a>"));
}

#[test]
fn csv_and_json_downloads_have_the_same_rows() {
    // Issue 23: an Excel-ready CSV (UTF-8 with a byte order mark), linked from every table:
    // the same bytes after the mark.
    let (status, _, plain) = get("/explore/project/4?table=programs&format=csv");
    let (_, _, excel) = get("/explore/project/4?table=programs&format=csv&bom=1");
    assert_eq!(status, 200);
    assert_eq!(excel.strip_prefix('\u{feff}'), Some(plain.as_str()));
    assert!(!plain.starts_with('\u{feff}'));
    let (_, _, page) = get("/explore/project/4");
    assert!(
        page.contains("bom=1\" download>CSV（Excel用）</a>"),
        "{page}"
    );
    for path in [
        "/explore/program/dementia-rd?table=statements",
        "/explore/programs?ministry=mhlw&sort=amount",
        "/explore/project/4?table=programs",
    ] {
        let (s1, t1, csv) = get(&format!("{path}&format=csv"));
        let (s2, t2, json) = get(&format!("{path}&format=json"));
        assert_eq!((s1, s2), (200, 200), "{path}: {csv} {json}");
        assert!(t1.starts_with("text/csv"), "{path}");
        assert_eq!(t2, "application/json");
        let csv = crate::util::csv(&csv);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        let json = json.as_array().unwrap();
        assert_eq!(csv.len() - 1, json.len(), "{path}");
        assert!(!json.is_empty(), "{path}");
        for (row, object) in csv[1..].iter().zip(json) {
            let values: Vec<&str> = csv[0]
                .iter()
                .map(|column| object[column.as_str()].as_str().unwrap())
                .collect();
            assert_eq!(
                row.iter().map(String::as_str).collect::<Vec<_>>(),
                values,
                "{path}"
            );
        }
    }
    // The program's table: 11 statements, 4 of them marked 【新規】, in line order.
    let (_, _, csv) = get("/explore/program/dementia-rd?format=csv");
    let rows = crate::util::csv(&csv);
    assert_eq!(rows.len(), 12);
    let lines: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        lines,
        ["128", "130", "343", "344", "345", "417", "418", "419", "420", "452", "454"]
    );
    assert_eq!(rows.iter().filter(|r| r[3] == "【新規】").count(), 4);
}

#[test]
fn program_table_filters_and_sorts() {
    // Names, not codes, on the page (issue 23): the facets' choices and the table's links;
    // the CSV keeps the codes (below).
    let (_, _, page) = get("/explore/programs");
    assert!(
        page.contains("<option value=\"mhlw\">厚生労働省</option>"),
        "{page}"
    );
    assert!(page.contains("<option value=\"4\">4. ゲノム・データ基盤プロジェクト</option>"));
    assert!(page.contains("<a href=\"/explore/ministry/mhlw\">厚生労働省</a>"));
    let (_, _, page) = get("/explore/programs?lang=en");
    assert!(
        page.contains("<option value=\"mhlw\">Ministry of Health, Labour and Welfare</option>"),
        "{page}"
    );
    let (_, _, csv) = get("/explore/programs?ministry=mhlw&sort=amount&format=csv");
    let rows = crate::util::csv(&csv);
    assert_eq!(rows[0][0], "program");
    let ministries = rows[0].iter().position(|c| c == "ministries").unwrap();
    let figure = rows[0].iter().position(|c| c == "figure_oku_yen").unwrap();
    assert!(rows[1..]
        .iter()
        .all(|r| r[ministries].split(' ').any(|m| m == "mhlw")));
    assert!(rows[1..].iter().any(|r| r[1] == "dementia-rd"));
    let amounts: Vec<f64> = rows[1..]
        .iter()
        .filter_map(|r| r[figure].parse().ok())
        .collect();
    assert!(amounts.len() >= 2);
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "{amounts:?}");
    // Facets combine: MHLW programs in project 4 about dementia.
    let (_, _, csv) = get("/explore/programs?ministry=mhlw&project=4&theme=dementia&format=csv");
    let keys: Vec<String> = crate::util::csv(&csv)[1..]
        .iter()
        .map(|r| r[1].clone())
        .collect();
    assert_eq!(keys, ["dementia-rd"]);
    // A program's figure counts a 再掲 repost once: 医工連携イノベーション推進事業 is printed
    // at 20億円 in project 2 and again, as a repost, a few lines on (was 40).
    let (_, _, csv) = get("/explore/programs?format=csv");
    let rows = crate::util::csv(&csv);
    let of = |slug: &str| rows.iter().find(|r| r[1] == slug).unwrap()[figure].clone();
    assert_eq!(of("med-eng-innovation"), "20");
    assert_eq!(of("dementia-rd"), "10");
    let (status, _, body) = get("/explore/programs?sort=height");
    assert_eq!(status, 400);
    assert!(body.contains("unknown sort"));
}

/// Issue 23: an explorer error is a page in the language asked for, with the server's message
/// under a headline; a download's error stays plain text for the program that asked.
#[test]
fn errors_are_pages_in_the_readers_language() {
    let (status, kind, page) = get("/explore/program/no-such-program");
    assert_eq!(status, 404);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(page.contains("<html lang=\"ja\">") && page.contains("<h1>見つかりません</h1>"));
    assert!(
        page.contains("no program &quot;no-such-program&quot;"),
        "{page}"
    );
    let (status, kind, page) = get("/explore/programs?sort=height&lang=en");
    assert_eq!(status, 400);
    assert!(kind.starts_with("text/html"), "{kind}");
    assert!(page.contains("<html lang=\"en\">") && page.contains("<h1>Bad request</h1>"));
    assert!(page.contains("unknown sort"));
    assert!(page.contains("href=\"/explore?lang=en\""));
    let (status, kind, body) = get("/explore/program/dementia-rd?format=csv&table=nope");
    assert_eq!(status, 404);
    assert!(kind.starts_with("text/plain"), "{kind}");
    assert!(body.starts_with("this page has no table"), "{body}");
}

#[test]
fn home_and_other_pages_link_the_budget() {
    let (status, _, home) = get("/explore");
    assert_eq!(status, 200);
    // The overview diagram is a link (a hairball inline); the money is on the page.
    assert!(home.contains("href=\"/diagram/overview?lang=ja\""));
    assert!(home.contains("href=\"/explore/recipient/9010005023796\""));
    assert!(home.contains("<a href=\"/explore/project/1\">医薬品プロジェクト</a>"));
    assert!(home.contains("<a href=\"/explore/ministry/mhlw\">厚生労働省</a>"));
    assert!(home.contains("<a href=\"/explore/theme/dementia\">認知症</a>"));
    // The console stays at / and points to the explorer.
    let (_, _, console) = get("/");
    assert!(console.contains("href=\"/explore\""));
    let (_, _, en) = get("/explore?lang=en");
    assert!(en.contains("Pharmaceutical Project") && en.contains("href=\"/explore?lang=ja\""));
    let (_, _, project) = get("/explore/project/4");
    assert!(project.contains("<a href=\"/explore/program/dementia-rd\">認知症研究開発事業</a>"));
    let (_, _, ministry) = get("/explore/ministry/mhlw");
    assert!(ministry.contains("認知症研究開発事業"));
    let (_, _, theme) = get("/explore/theme/dementia");
    assert!(theme.contains("認知症研究開発事業"));
    for missing in [
        "/explore/program/no-such-program",
        "/explore/project/9",
        "/explore/theme/nothing",
        "/explore/org/none",
    ] {
        assert_eq!(get(missing).0, 404, "{missing}");
    }
    assert_eq!(get("/explore?lang=fr").0, 400);
    assert_eq!(get("/explore/programs?format=xlsx").0, 400);
}

#[test]
fn a_program_page_shows_its_timeline_and_rs_links_from_the_real_data() {
    // 医療機器等研究成果展開事業 (RS 6843, MEXT): the six RS figures beside the document's 12億円,
    // checked by hand against the RS 2024 and 2025 sheets (tests/fixtures/rs-real/NOTES.md).
    let (status, _, page) = get("/explore/program/medical-device-seeds");
    assert_eq!(status, 200);
    assert!(page.contains("<table id=\"timeline\">"), "{page}");
    assert!(page.contains("/diagram/timeline/program/medical-device-seeds?lang=ja"));
    assert!(page.contains("<table id=\"rs-links\">"), "{page}");
    // Words, not codes, in the page's language (issue 23); the downloads keep the codes.
    for words in [
        "<th scope=\"col\">段階</th>",
        ">当初予算額</td>",
        ">同一の事業</td>",
    ] {
        assert!(page.contains(words), "{words}");
    }
    let (_, _, en) = get("/explore/program/medical-device-seeds?lang=en");
    for words in [
        "<th scope=\"col\">Stage</th>",
        ">initial</td>",
        ">the same program</td>",
    ] {
        assert!(en.contains(words), "{words}");
    }
    assert!(
        !en.contains("当初予算額</td>"),
        "no Japanese stage names on English pages"
    );
    let (_, _, csv) = get("/explore/program/medical-device-seeds?table=timeline&format=csv");
    let rows = crate::util::csv(&csv);
    let col = |name: &str| rows[0].iter().position(|c| c == name).expect(name);
    let (fy, stage, amount) = (col("fiscal_year"), col("stage"), col("amount_oku_yen"));
    let got: Vec<(String, String, String)> = rows[1..]
        .iter()
        .map(|r| (r[fy].clone(), r[stage].clone(), r[amount].clone()))
        .collect();
    let want = [
        // Its review sheet of 2023 (2023-文科-22-0298): FY2020–2023 as that edition prints them.
        ("2020", "initial", "12.3"),
        ("2020", "execution", "12.18"),
        ("2021", "initial", "8.62"),
        ("2021", "execution", "8.69"),
        ("2022", "initial", "10.72"),
        ("2022", "execution", "10.77"),
        ("2023", "initial", "10.24"),
        ("2023", "initial", "10.235"),
        ("2023", "execution", "10.235"),
        // The document's 概算要求・要望額 beside the sheet's and RS 2024's 翌年度要求額 (which
        // include the 要望): one stage, three sources.
        ("2024", "total", "12"),
        ("2024", "total", "12.16"),
        ("2024", "total", "12.16"),
        ("2024", "initial", "10.91832"),
        ("2024", "execution", "10.91832"),
        ("2025", "total", "12.04832"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
    let (_, _, links) = get("/explore/program/medical-device-seeds?table=rs-links&format=csv");
    let links = crate::util::csv(&links);
    assert_eq!(links.len(), 2, "{links:?}");
    assert!(links[1].contains(&"6843".to_owned()) && links[1].contains(&"exact".to_owned()));
    // The chart it shows is served, as SVG with the Japanese stage names.
    let (status, _, svg) = get("/diagram/timeline/program/medical-device-seeds?lang=ja");
    assert_eq!(status, 200);
    assert!(svg.contains("<svg") && svg.contains("執行額") && svg.contains("12.05"));
}

#[test]
fn a_timeline_section_needs_its_query_and_rows() {
    // Without the `program-timeline` named query the page has no timeline section.
    let scratch = crate::util::Scratch::new("explorer-timeline");
    std::fs::remove_file(scratch.dir.join("queries/program-timeline.rq")).unwrap();
    let base = format!(
        "http://{}",
        crate::util::serve_root(&scratch.dir, crate::util::loopback())
    );
    let (status, _, page) = get_from(&base, "/explore/program/medical-device-seeds");
    assert_eq!(status, 200);
    assert!(!page.contains("id=\"timeline\""));
    assert!(page.contains("<table id=\"rs-links\">"));
    // A program without RS links (the first that rs-unlinked-programs lists) has no RS section.
    let unlinked = crate::util::query("rs-unlinked-programs");
    let slug = &unlinked[1][0];
    let (status, _, other) = get(&format!("/explore/program/{slug}"));
    assert_eq!(status, 200);
    assert!(!other.contains("<table id=\"rs-links\">"), "{slug}");
}
