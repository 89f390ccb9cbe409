//! The explorer follows the money (issue 23): recipient, budget-line and program pages give
//! the real figures of RS 2024/2025 and the review sheets, add up only what may be added
//! (a share of an aggregate line is not added to the aggregate's payment), say where a figure
//! is an aggregate's, and search finds lines and recipients by their numbers.

use super::explorer::{base_url, get};

/// A page's table as CSV rows (header first).
fn table(path: &str, id: &str) -> Vec<Vec<String>> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let (status, _, body) = get(&format!("{path}{sep}format=csv&table={id}"));
    assert_eq!(status, 200, "{path} {id}: {body}");
    crate::util::csv(&body)
}

/// The rows of a table whose column `col` is `value`.
fn rows_where(rows: &[Vec<String>], col: &str, value: &str) -> Vec<Vec<String>> {
    let i = rows[0].iter().position(|c| c == col).expect("the column");
    rows[1..]
        .iter()
        .filter(|r| r[i] == value)
        .cloned()
        .collect()
}

fn col(rows: &[Vec<String>], row: &[String], name: &str) -> String {
    let i = rows[0].iter().position(|c| c == name).expect("the column");
    row[i].clone()
}

/// One number from the SPARQL endpoint: the first binding of the first row.
fn sparql_number(query: &str) -> f64 {
    let q: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let (status, _, body) = get(&format!("/sparql?query={q}"));
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let b = &v["results"]["bindings"][0];
    let var = v["head"]["vars"][0].as_str().unwrap();
    b[var]["value"].as_str().unwrap().parse().unwrap()
}

const AMED: &str = "/explore/recipient/9010005023796";

#[test]
fn a_recipient_page_adds_a_years_payments_once() {
    // RS 2025 (5-1 支出先) lists AMED's FY2024 payment on the aggregate line 2958 and again,
    // by project, on its shares 2867 and 2959–2963: the year adds the aggregate, not the shares.
    let payments = table(AMED, "payments");
    let fy2024 = rows_where(&payments, "fiscal_year", "2024");
    let on = |line: &str| {
        fy2024
            .iter()
            .find(|r| col(&payments, r, "line") == line)
            .unwrap_or_else(|| panic!("a FY2024 payment on {line}"))
            .clone()
    };
    let aggregate = on("rs/2958");
    assert_eq!(col(&payments, &aggregate, "amount_yen"), "55249627270");
    assert_eq!(col(&payments, &aggregate, "line_kind"), "aggregate");
    assert_eq!(col(&payments, &aggregate, "counted"), "yes");
    for share in [
        "rs/2867", "rs/2959", "rs/2960", "rs/2961", "rs/2962", "rs/2963",
    ] {
        assert_eq!(col(&payments, &on(share), "counted"), "no", "{share}");
    }
    let all = sparql_number(
        "PREFIX rs: <https://w3id.org/medrd-kg/rs#> SELECT (SUM(?y) AS ?s) WHERE { ?p a rs:Payment ; rs:payee <http://hojin-info.go.jp/data/basic/9010005023796> ; rs:paymentYear ?fy ; rs:amount ?y FILTER (STR(?fy) = \"2024\") }",
    );
    let shares = sparql_number(
        "PREFIX rs: <https://w3id.org/medrd-kg/rs#> SELECT (SUM(?y) AS ?s) WHERE { ?p a rs:Payment ; rs:payee <http://hojin-info.go.jp/data/basic/9010005023796> ; rs:paymentYear ?fy ; rs:amount ?y ; rs:paymentOf/rs:shareOf <https://w3id.org/medrd-kg/id/rs/2958> FILTER (STR(?fy) = \"2024\") }",
    );
    assert!(
        shares > 5e10,
        "the shares hold most of the aggregate's payment: {shares}"
    );
    let years = table(AMED, "years");
    let row = &rows_where(&years, "fiscal_year", "2024")[0];
    let oku = |s: String| s.parse::<f64>().unwrap();
    assert!((oku(col(&years, row, "amount_oku_yen")) - (all - shares) / 1e8).abs() < 0.01);
    assert!((oku(col(&years, row, "not_added_oku_yen")) - shares / 1e8).abs() < 0.01);
    // A decade: the review sheets give AMED's payments back to FY2015.
    assert!(!rows_where(&years, "fiscal_year", "2015").is_empty());
    let (_, _, page) = get(AMED);
    assert!(
        page.contains("href=\"/explore/line/rs/2958\""),
        "payments link their line"
    );
    assert!(page.contains("<svg class=\"chart\""), "an inline chart");
    assert!(
        page.contains("href=\"#fy2024\""),
        "a bar opens its year's payments"
    );
}

#[test]
fn a_budget_line_page_says_an_aggregate_is_many_programs_and_goes_back_a_decade() {
    let path = "/explore/line/rs/2958";
    let (status, _, page) = get(path);
    assert_eq!(status, 200);
    assert!(
        page.contains("一括計上の行"),
        "the page says what the line is"
    );
    let programs = table(path, "programs");
    let dementia = &rows_where(&programs, "slug", "dementia-rd")[0];
    assert_eq!(col(&programs, dementia, "relation"), "aggregate");
    assert!(
        programs.len() > 20,
        "the aggregate stands behind many programs"
    );
    // The lineage of sheets that continue as 2958: JUDGIT! 2016's sheet 0881 prints FY2015.
    let figures = table(path, "figures");
    let fy2015 = rows_where(&figures, "fiscal_year", "2015");
    assert!(fy2015.iter().any(
        |r| col(&figures, r, "line") == "review-sheet/2016/mhlw/0881"
            && col(&figures, r, "stage") == "initial"
            && col(&figures, r, "amount_oku_yen") == "473.58"
    ));
    let payments = table(path, "payments");
    assert!(payments[1..]
        .iter()
        .any(|r| col(&payments, r, "corporate_number") == "9010005023796"));
    let (_, _, en) = get(&format!("{path}?lang=en"));
    assert!(en.contains("An aggregate line"));
    for bad in [
        "/explore/line/program/dementia-rd",
        "/explore/line/rs/no%20such",
    ] {
        assert_eq!(get(bad).0, 404, "{bad}");
    }
    assert_eq!(get("/explore/recipient/123").0, 404);
}

#[test]
fn a_program_funded_through_an_aggregate_shows_the_aggregates_figures_as_such() {
    let (status, _, page) = get("/explore/program/dementia-rd");
    assert_eq!(status, 200);
    let section = page
        .split("id=\"h-aggregate\"")
        .nth(1)
        .expect("a section on the aggregate line");
    assert!(section.contains("href=\"/explore/line/rs/2958\""));
    assert!(
        section.contains("<svg class=\"chart\""),
        "the aggregate's own chart"
    );
    // The program's own chart: its one figure, the document's request, opens line 345.
    let timeline = page.split("id=\"timeline-chart\"").nth(1).unwrap();
    assert!(timeline.contains("<a href=\"#L345\"><title>2024"));
    assert!(page.contains("id=\"L345\""), "the bar's target exists");
    let recipients = table("/explore/program/dementia-rd", "recipients");
    let amed = rows_where(&recipients, "corporate_number", "9010005023796");
    assert!(amed
        .iter()
        .all(|r| col(&recipients, r, "via_aggregate") == "yes"));
    assert!(!amed.is_empty());
}

#[test]
fn tables_of_programs_carry_each_programs_newest_figure() {
    let rows = table("/explore/project/4", "programs");
    for c in [
        "newest_oku_yen",
        "newest_fiscal_year",
        "newest_stage",
        "newest_source",
        "aggregate_line",
    ] {
        assert!(rows[0].iter().any(|h| h == c), "{c}");
    }
    // innovative-cancer: the document prints 2 (project 1) and 53 (project 4) for FY2024.
    let cancer = &rows_where(&rows, "slug", "innovative-cancer")[0];
    assert_eq!(col(&rows, cancer, "newest_oku_yen"), "55");
    assert_eq!(col(&rows, cancer, "aggregate_line"), "2958");
    // B-cure: RS 2025's initial budget of its own line is newer than the document's request.
    let all = table("/explore/programs", "programs");
    let bcure = &rows_where(&all, "slug", "b-cure")[0];
    assert_eq!(col(&all, bcure, "newest_stage"), "initial");
    assert_eq!(col(&all, bcure, "newest_source"), "rs-2025");
    let with_figure = rows_where(&all, "newest_oku_yen", "").len();
    assert!(
        all.len() - 1 - with_figure > 25,
        "most programs have a figure"
    );
}

#[test]
fn ministry_project_and_organisation_pages_show_the_money() {
    let mhlw = table("/explore/ministry/mhlw", "timeline");
    assert!(
        rows_where(&mhlw, "source", "judgit-2021").len() > 1,
        "MHLW's review sheets"
    );
    let p4 = table("/explore/project/4", "timeline");
    assert!(rows_where(&p4, "source", "rs-2025").len() > 1);
    let recipients = table("/explore/project/4", "recipients");
    assert!(recipients.len() > 10);
    let (_, _, amed) = get("/explore/org/amed");
    assert!(
        amed.contains(&format!("href=\"{AMED}\"")),
        "AMED's page links its money"
    );
    let (_, _, theme) = get("/explore/theme/dementia");
    assert!(theme.contains("id=\"h-recipients\""));
    // A theme's figures: its programs' own lines, one row per edition (never two added).
    let dementia = table("/explore/theme/dementia", "timeline");
    assert!(rows_where(&dementia, "source", "rs-2025").len() > 1);
    let mut seen = std::collections::BTreeSet::new();
    for r in &dementia[1..] {
        let key = (
            col(&dementia, r, "fiscal_year"),
            col(&dementia, r, "stage"),
            col(&dementia, r, "source"),
        );
        assert!(
            seen.insert(key.clone()),
            "one row per year, stage and edition: {key:?}"
        );
    }
}

#[test]
fn search_finds_lines_and_recipients_by_their_numbers_with_amounts() {
    let hits = |q: &str| {
        let q: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
        let (_, _, body) = get(&format!("/explore/search?format=json&q={q}"));
        serde_json::from_str::<serde_json::Value>(&body).unwrap()
    };
    let line = &hits("2958")[0];
    assert_eq!(line["kind"], "line");
    assert_eq!(line["key"], "rs/2958");
    assert!(line["context"].as_str().unwrap().contains("当初予算額"));
    let amed = &hits("9010005023796")[0];
    assert_eq!(amed["kind"], "recipient");
    assert_eq!(amed["href"], AMED);
    assert!(amed["context"].as_str().unwrap().contains("1763.20億円"));
    let sheet = hits("22-0964");
    assert!(sheet
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["key"] == "review-sheet/2023/mhlw/22-0964"));
}

#[test]
fn the_raw_pages_of_lines_and_programs_link_back_to_the_explorer() {
    let html = |path: &str| {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .into();
        let mut r = agent
            .get(&format!("{}{path}", base_url()))
            .header("Accept", "text/html")
            .call()
            .expect("an answer");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        r.body_mut().read_to_string().unwrap()
    };
    assert!(html("/id/rs/2958").contains("href=\"/explore/line/rs/2958\""));
    assert!(html("/id/review-sheet/2023/mhlw/22-0964")
        .contains("href=\"/explore/line/review-sheet/2023/mhlw/22-0964\""));
    assert!(html("/id/program/dementia-rd").contains("href=\"/explore/program/dementia-rd\""));
    // A line's record is no line: no explorer page of its own.
    assert!(!html("/id/rs/2958-fy2024").contains("/explore/line/"));
}

#[test]
fn the_money_flow_draws_each_payment_once_and_links_every_node() {
    let path = "/explore/flow/recipient/9010005023796?year=2024";
    let (status, _, page) = get(path);
    assert_eq!(status, 200, "{page}");
    let flows = table(path, "flows");
    // The aggregate's payment is drawn; its shares' repeats of it are not (and said so).
    let lines: Vec<String> = flows[1..].iter().map(|r| col(&flows, r, "line")).collect();
    assert!(lines.contains(&"rs/2958".to_owned()));
    for share in [
        "rs/2867", "rs/2959", "rs/2960", "rs/2961", "rs/2962", "rs/2963",
    ] {
        assert!(!lines.contains(&share.to_owned()), "{share}");
    }
    assert!(
        page.contains("6 件は描いていません"),
        "the page says what it left out"
    );
    let drawn: f64 = flows[1..]
        .iter()
        .map(|r| col(&flows, r, "amount_oku_yen").parse::<f64>().unwrap())
        .sum();
    let years = table(AMED, "years");
    let fy2024 = &rows_where(&years, "fiscal_year", "2024")[0];
    let received: f64 = col(&years, fy2024, "amount_oku_yen").parse().unwrap();
    assert!(
        (drawn - received).abs() < 0.05,
        "the drawing holds the year's money: {drawn} vs {received}"
    );
    // Every node links its page: ministries, lines, the recipient.
    for href in [
        "/explore/ministry/mhlw",
        "/explore/line/rs/2958",
        "/explore/recipient/9010005023796",
    ] {
        assert!(
            page.contains(&format!("<a href=\"{href}\"><title>")),
            "{href}"
        );
    }
    // A program's flow defaults to its newest year of payment; a year without payments is 400.
    let (_, _, program) = get("/explore/flow/program/dementia-rd");
    assert!(program.contains("<strong aria-current=\"page\">2024</strong>"));
    assert_eq!(get("/explore/flow/program/dementia-rd?year=1999").0, 400);
    assert_eq!(get("/explore/flow/program/no-such-program").0, 404);
    assert_eq!(get("/explore/flow/recipient/12").0, 404);
    let (_, _, from) = get("/explore/program/dementia-rd");
    assert!(from.contains("href=\"/explore/flow/program/dementia-rd\""));
    let (_, _, from) = get("/explore/ministry/mext");
    assert!(from.contains("href=\"/explore/flow/ministry/mext\""));
}

#[test]
fn english_pages_have_english_headings_and_units() {
    let cjk = |s: &str| s.chars().any(|c| ('\u{3040}'..='\u{9fff}').contains(&c));
    let th = regex::Regex::new(r"<th[^>]*>([^<]*)</th>").unwrap();
    let heading = regex::Regex::new(r"<h2[^>]*>([^<]*)</h2>").unwrap();
    for path in [
        "/explore/recipient/9010005023796?lang=en",
        "/explore/line/rs/2958?lang=en",
        "/explore/program/dementia-rd?lang=en",
        "/explore/project/4?lang=en",
        "/explore/ministry/mhlw?lang=en",
        "/explore/flow/ministry/mext?lang=en",
        "/explore?lang=en",
    ] {
        let (status, _, page) = get(path);
        assert_eq!(status, 200, "{path}");
        for c in th.captures_iter(&page).chain(heading.captures_iter(&page)) {
            // Names of things (a program's, a recipient's) stay as the sources print them.
            let text = &c[1];
            if text.contains(": ") {
                continue;
            }
            assert!(!cjk(text), "{path}: a heading in Japanese: {text}");
        }
        assert!(!page.contains("億円</th>"), "{path}: the unit in Japanese");
    }
}

#[test]
fn shares_count_unless_their_aggregate_paid_as_much_and_charts_draw_only_a_programs_own() {
    // Osaka University, FY2017: MHLW's aggregate sheet 0884 paid it 0.12億 (block B); its
    // per-project shares 35.55億 — other money, counted (the aggregate does not cover them).
    let osaka = table("/explore/recipient/4120905002554", "years");
    let fy2017 = &rows_where(&osaka, "fiscal_year", "2017")[0];
    assert_eq!(col(&osaka, fy2017, "not_added_oku_yen"), "");
    let all = sparql_number(
        "PREFIX rs: <https://w3id.org/medrd-kg/rs#> SELECT (SUM(?y) AS ?s) WHERE { ?p a rs:Payment ; rs:payee <http://hojin-info.go.jp/data/basic/4120905002554> ; rs:paymentYear ?fy ; rs:amount ?y FILTER (STR(?fy) = \"2017\") }",
    );
    let shown: f64 = col(&osaka, fy2017, "amount_oku_yen").parse().unwrap();
    assert!((shown - all / 1e8).abs() < 0.01, "{shown} vs {all}");
    // A program's chart: its own figures, the rows of one year, stage and edition added
    // (innovative-cancer: the document's 2 + 53), a successor's never its bars.
    let (_, _, cancer) = get("/explore/program/innovative-cancer");
    assert!(cancer.contains("<title>2024 概算要求・要望額 55億円 — fy2024-request"));
    let (_, _, devices) = get("/explore/program/advanced-medical-devices");
    let chart = devices.split("id=\"timeline-chart\"").nth(1).unwrap();
    let chart = chart.split("</svg>").next().unwrap();
    assert!(chart.contains("<title>2024 当初予算額 36.5億円 — rs-2025 (RS 3540)"));
    assert!(
        !chart.contains("RS 19775"),
        "the successor's line is not the program's bar"
    );
    // A program with lines of its own and two aggregates says so, and its table has both.
    let (_, _, platform) = get("/explore/program/data-platform");
    assert!(platform.contains("この事業は自分の予算の行に加え"));
    let programs = table("/explore/programs", "programs");
    let row = &rows_where(&programs, "slug", "data-platform")[0];
    assert_eq!(col(&programs, row, "aggregate_line"), "1691 2958");
    // A line of a ministry outside our data (復興庁) is drawn under the name the sheet prints.
    let flows = table("/explore/flow/recipient/9010005023796?year=2015", "flows");
    assert!(flows[1..]
        .iter()
        .any(|r| col(&flows, r, "line") == "review-sheet/2016/rc/0067"
            && col(&flows, r, "ministry") == "復興庁"));
}

#[test]
fn search_answers_names_at_once_and_says_when_lines_and_recipients_are_not_read_yet() {
    // The explorer reads the search entries of lines and recipients last, after the names
    // and the shared answers. Here search-money is slowed down (its answer is the same: a
    // count of 25M rows no row takes), so the first searches come before they are read.
    let s = crate::util::Scratch::new("search-pending");
    s.replace(
        "queries/explorer/search-money.rq",
        "BIND (\"recipient\" AS ?kind)",
        "{ SELECT (COUNT(*) AS ?slow) WHERE { ?a a rs:Payment . ?b a medrd:Program . \
         ?c a medrd:Program } } BIND (\"recipient\" AS ?kind)",
    );
    let layout = medrd_kg::Layout::new(&s.dir);
    let base = format!(
        "http://{}",
        crate::util::serve_listening(layout, crate::util::loopback())
    );
    let amed = "9010005023796";
    let recipient = format!("/explore/recipient/{amed}");
    let get = |path: &str| {
        let (status, _, body) = super::explorer::get_from(&base, path);
        assert_eq!(status, 200, "{path}: {body}");
        body
    };
    let partial = || {
        let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().into();
        let url = format!("{base}/explore/search?format=json&partial=1&q={amed}");
        let mut r = agent.get(&url).call().expect("an answer");
        let pending = r.headers().get("medrd-search-pending").cloned();
        (pending, r.body_mut().read_to_string().unwrap())
    };
    // Pending: the page searched the names only, and says so; so does a partial JSON.
    let page = get(&format!("/explore/search?q={amed}"));
    assert!(page.contains("id=\"search-pending\""), "{page}");
    assert!(!page.contains(&recipient), "{page}");
    let (pending, body) = partial();
    assert_eq!(pending.unwrap(), "line recipient");
    assert!(!body.contains(&recipient), "{body}");
    // A table's download and JSON wait for every entry.
    let csv = get(&format!(
        "/explore/search?q={amed}&format=csv&table=results"
    ));
    assert!(csv.contains(&recipient), "{csv}");
    let whole = get(&format!("/explore/search?format=json&q={amed}"));
    assert!(whole.contains(&recipient), "{whole}");
    // Read: the page finds AMED and says nothing; the partial JSON is the whole one.
    let page = get(&format!("/explore/search?q={amed}"));
    assert!(
        !page.contains("search-pending") && page.contains(&recipient),
        "{page}"
    );
    assert_eq!(partial(), (None, whole));
}
