//! Hostile inputs (issue 19, item 4 and the low items): files that are not regular files,
//! RS files with rows before their header, impossible amounts or a bad byte, ZIP entries
//! named with escape codes, and texts for `draft` in Shift_JIS, with a newline in their
//! name, with over 255 projects or a line of endless amounts; a draft folder put in data/.
//! Invented files only where they are the error; the real FY2024 text otherwise.

use crate::util::{command, medrd, root, run, Scratch};
use medrd_kg::draft;
use std::io::Write;
use std::path::{Path, PathBuf};

const FY2024: &str = "data/fy2024-request/fy2024-medical-rd-budget-request.ja.txt";

/// A scratch folder for one test, removed at the end.
struct Tmp(PathBuf);

impl Tmp {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("medrd-inputs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Tmp(d)
    }
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    fn fifo(&self, name: &str) -> PathBuf {
        let p = self.0.join(name);
        let made = run(std::process::Command::new("mkfifo").arg(&p));
        assert_eq!(made.code, 0, "mkfifo: {}", made.stderr);
        p
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs medrd with a time limit, so that one that waits on a FIFO fails instead of hanging.
fn medrd_within(args: &[&str]) -> crate::util::Run {
    let mut c = command();
    c.arg("--root").arg(root()).args(args);
    let mut timed = std::process::Command::new("timeout");
    timed.arg("60").arg(c.get_program()).args(c.get_args());
    for v in crate::util::CLEARED_ENV {
        timed.env_remove(v);
    }
    run(&mut timed)
}

#[test]
fn a_fifo_a_device_or_a_link_loop_is_named_not_read() {
    let t = Tmp::new("not-files");
    let fifo_csv = t.fifo("rs.csv");
    let fifo_ttl = t.fifo("extra.ttl");
    let fifo_txt = t.fifo("summary.txt");
    let fifo_rq = t.fifo("q.rq");
    let lp = t.0.join("loop.ttl");
    std::os::unix::fs::symlink(&lp, &lp).unwrap();
    let out = t.0.join("d");
    for (args, words) in [
        (
            vec!["link", "rs", s(&fifo_csv)],
            "a named pipe (FIFO), not a file",
        ),
        (vec!["link", "rs", "/dev/zero"], "a device, not a file"),
        (
            vec!["--with", s(&fifo_ttl), "stats"],
            "a named pipe (FIFO), not a file",
        ),
        (vec!["--with", "/dev/zero", "stats"], "a device, not a file"),
        (vec!["--with", s(&lp), "stats"], "symbolic link loop"),
        (
            vec!["draft", s(&fifo_txt), "-o", s(&out)],
            "a named pipe (FIFO), not a file",
        ),
        (
            vec!["draft", "/dev/zero", "-o", s(&out)],
            "a device, not a file",
        ),
        (
            vec!["query", s(&fifo_rq)],
            "a named pipe (FIFO), not a file",
        ),
    ] {
        let r = medrd_within(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(words), "{args:?}: {}", r.stderr);
    }
    assert!(!out.exists());
}

/// A `--with` directory holding a link to itself is read once, not followed for ever.
#[test]
fn a_with_directory_that_links_to_itself_loads_once() {
    let t = Tmp::new("with-loop");
    let dir = t.0.join("extra");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("a.ttl"),
        "<https://example.org/a> <https://example.org/b> 1 .\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&dir, dir.join("again")).unwrap();
    let r = medrd_within(&[
        "--with",
        s(&dir),
        "query",
        "--sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://example.org/b> ?o }",
        "--format",
        "csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "n\r\n1", "{}", r.stdout);
}

const BUDGET_HEAD: &str = "予算事業ID,事業名,府省庁,予算年度,当初予算（合計）\n";

#[test]
fn rs_amounts_that_are_no_figures_are_refused_with_their_line() {
    let t = Tmp::new("amounts");
    let big = "\"9,000,000,000,000,000,000\"";
    for (name, rows, at) in [
        (
            "inf",
            "1,x,内閣府,2024,100\n1,x,内閣府,2024,inf\n".to_string(),
            ":3: column 5",
        ),
        ("nan", "1,x,内閣府,2024,NaN\n".to_string(), ":2: column 5"),
        (
            "e400",
            "1,x,内閣府,2024,1e400\n".to_string(),
            ":2: column 5",
        ),
        // two of these added up to -2 yen (-0.00000002 億円) before
        (
            "sum",
            format!("1,x,内閣府,2024,{big}\n1,x,内閣府,2024,{big}\n"),
            ":2: column 5",
        ),
    ] {
        let p = t.write(&format!("{name}.csv"), format!("{BUDGET_HEAD}{rows}"));
        let r = medrd(&["link", "rs", s(&p)]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("{name}.csv{at}")),
            "{name}: {}",
            r.stderr
        );
    }
    // Figures up to 1,000兆円 a cell still add up, exactly.
    let ok = t.write(
        "ok.csv",
        format!("{BUDGET_HEAD}1,x,内閣府,2024,\"1,000,000,000,000,000\"\n1,x,内閣府,2024,▲1\n"),
    );
    let d = medrd_kg::ingest::rs::RsData::read(&[ok]).unwrap();
    assert_eq!(
        d.projects["1"].budgets[&2024].initial,
        Some(999_999_999_999_999)
    );
}

#[test]
fn rs_rows_before_the_header_are_an_error_and_notes_are_not() {
    let t = Tmp::new("before-header");
    let rows = t.write(
        "rows.csv",
        format!("1,x,内閣府,2024,100\n{BUDGET_HEAD}1,x,内閣府,2024,100\n"),
    );
    let r = medrd(&["link", "rs", s(&rows)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("rows.csv:1: a row of 5 cells before any header row"),
        "{}",
        r.stderr
    );
    let notes = "（単位：千円）\n".repeat(11);
    let many = t.write(
        "notes.csv",
        format!("{notes}{BUDGET_HEAD}1,x,内閣府,2024,100\n"),
    );
    let r = medrd(&["link", "rs", s(&many)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("notes.csv:11: 11 rows before any header"),
        "{}",
        r.stderr
    );
    // a note of one cell gives the unit, as before
    let one = t.write(
        "one.csv",
        format!("（単位：千円）\n{BUDGET_HEAD}1,x,内閣府,2024,100\n"),
    );
    let d = medrd_kg::ingest::rs::RsData::read(&[one]).unwrap();
    assert_eq!(d.projects["1"].budgets[&2024].initial, Some(100_000));
}

/// The RS files are split into rows on one thread and taken on another: the first error in
/// the files' order is the one reported, however far the splitting got meanwhile, and a
/// long file's rows are all taken, in order.
#[test]
fn rs_files_read_on_two_threads_report_the_first_error_in_file_order() {
    let t = Tmp::new("rs-order");
    // Far more rows than one batch handed between the threads; a bad figure on the last.
    let rows: String = (1..=3000)
        .map(|i| {
            format!(
                "{i},x,内閣府,2024,{}\n",
                if i == 3000 { "inf" } else { "1" }
            )
        })
        .collect();
    let first = t.write("first.csv", format!("{BUDGET_HEAD}{rows}"));
    let second = t.write("second.csv", "no header here\n1,2,3\n");
    let e = medrd_kg::ingest::rs::RsData::read(&[first.clone(), second.clone()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("first.csv:3001: column 5"), "{e}");
    // Without the bad figure, every row is taken and the second file's error comes next.
    let good: String = (1..=3000)
        .map(|i| format!("{i},x,内閣府,2024,{i}\n"))
        .collect();
    let first = t.write("first.csv", format!("{BUDGET_HEAD}{good}"));
    let e = medrd_kg::ingest::rs::RsData::read(&[first.clone(), second])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("second.csv:2: a row of 3 cells before any header"),
        "{e}"
    );
    let d = medrd_kg::ingest::rs::RsData::read(&[first]).unwrap();
    assert_eq!(d.projects.len(), 3000);
    assert_eq!(d.files[0].rows, 3000);
    assert_eq!(d.projects["2999"].budgets[&2024].initial, Some(2_999));
}

/// A UTF-8 file with one bad byte was read as Shift_JIS and said "no header row".
#[test]
fn a_utf8_csv_with_a_bad_byte_is_named_with_its_line_and_column() {
    let t = Tmp::new("bad-byte");
    let mut bytes = format!("{BUDGET_HEAD}1,認知症研究開発事業,厚生労働省,2024,100\n").into_bytes();
    let at = BUDGET_HEAD.len() + 2 + 2; // the last byte of 認 (E8 AA 8D)
    bytes[at] = 0xFF;
    let p = t.write("bad.csv", &bytes);
    let r = medrd(&["link", "rs", s(&p)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("bad.csv:2: column 2, character 1: bytes 0xE8 0xAA 0xFF: not UTF-8"),
        "{}",
        r.stderr
    );
}

/// ZIP entry names are the ZIP's: their escape codes are printed escaped.
#[test]
fn zip_entry_names_and_table_cells_reach_the_terminal_escaped() {
    let t = Tmp::new("escapes");
    let p = t.0.join("x.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    w.start_file(
        "a\x1b[2J\x1b]0;pwned\x07b.csv",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    w.write_all(b"no header here\n").unwrap();
    w.finish().unwrap();
    let r = medrd(&["link", "rs", s(&p)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!r.stderr.contains(['\x1b', '\x07']), "{:?}", r.stderr);
    assert!(
        r.stderr.contains("x.zip!a\\x1b[2J\\x1b]0;pwned\\x07b.csv"),
        "{}",
        r.stderr
    );
    // and a value of the data in a table for people
    let r = medrd(&[
        "query",
        "--format",
        "table",
        "--sparql",
        r#"SELECT ?x WHERE { BIND("a\u001B[31mb" AS ?x) }"#,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("a\\x1b[31mb") && !r.stdout.contains('\x1b'),
        "{:?}",
        r.stdout
    );
}

#[test]
fn draft_reads_a_shift_jis_text_as_its_utf8_twin() {
    let t = Tmp::new("sjis");
    let text = std::fs::read_to_string(root().join(FY2024)).unwrap();
    // ✓ and a few others have no CP932 code: both texts have "?" there.
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let (back, _, _) = encoding_rs::SHIFT_JIS.decode(&sjis);
    std::fs::create_dir_all(t.0.join("a")).unwrap();
    std::fs::create_dir_all(t.0.join("b")).unwrap();
    let a = t.write("a/summary.txt", &*sjis);
    let b = t.write("b/summary.txt", back.as_bytes());
    let r = medrd(&["draft", s(&a), "-o", s(&t.0.join("da"))]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("is Shift_JIS (CP932)"), "{}", r.stderr);
    medrd(&["draft", s(&b), "-o", s(&t.0.join("db"))]).ok();
    for f in [
        "programs.toml",
        "overview.toml",
        "projects/p1.toml",
        "review.toml",
        "summary.txt",
    ] {
        assert_eq!(
            std::fs::read_to_string(t.0.join("da").join(f)).unwrap(),
            std::fs::read_to_string(t.0.join("db").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_newline_in_the_text_file_name_leaves_every_drafted_toml_whole() {
    let t = Tmp::new("newline");
    let src = t.write(
        "fy2024\n[document]\nx.txt",
        std::fs::read(root().join(FY2024)).unwrap(),
    );
    let out = t.0.join("d");
    medrd(&["draft", s(&src), "-o", s(&out)]).ok();
    let mut n = 0;
    for f in [
        "source.toml",
        "programs.toml",
        "overview.toml",
        "links.toml",
        "review.toml",
        "projects/p1.toml",
        "projects/p6.toml",
    ] {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        text.parse::<toml::Table>()
            .unwrap_or_else(|e| panic!("{f}: {e}"));
        n += 1;
    }
    assert_eq!(n, 7);
    let st: toml::Table = std::fs::read_to_string(out.join("source.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        st["document"]["text_file"].as_str(),
        Some("fy2024\n[document]\nx.txt")
    );
}

fn summary_of(projects: &[&str]) -> String {
    let mut t =
        String::from("令和7年度 医療分野の研究開発関連予算 概算要求のポイント\n\n主な取組\n\n");
    for p in projects {
        t.push_str(p);
        t.push_str("\n\n");
    }
    t
}

#[test]
fn projects_are_numbered_without_collisions_and_at_most_255() {
    // a number printed, then none: two projects, two files (the second took the first's
    // number and overwrote its file before)
    let d = draft::draft_text(
        Path::new("t.txt"),
        &summary_of(&[
            "2. Aプロジェクト 1億円 <AMED 1億円>",
            "Bプロジェクト 2億円 <AMED 2億円>",
        ]),
        &[],
    )
    .unwrap();
    let numbers: Vec<u8> = d.projects.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [2, 3]);
    let many: Vec<String> = (1..=256)
        .map(|i| format!("P{i}プロジェクト 1億円 <AMED 1億円>"))
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let e = draft::draft_text(Path::new("t.txt"), &summary_of(&refs), &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("a 256th project (P256プロジェクト)"), "{e}");
    let t = Tmp::new("many");
    let src = t.write("many.txt", summary_of(&refs));
    let r = medrd(&["draft", s(&src), "-o", s(&t.0.join("d"))]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!t.0.join("d").exists());
}

#[test]
fn a_line_of_endless_amounts_costs_memory_in_proportion_to_the_text() {
    // each loose figure keeps 40 characters on either side, not its whole line
    let line = format!("{}1億円{}", "x".repeat(100), "y".repeat(100));
    let d = draft::draft_text(Path::new("t.txt"), &summary_of(&[&line]), &[]).unwrap();
    assert_eq!(d.loose.len(), 1);
    assert_eq!(
        d.loose[0].context,
        format!("…{}1億円{}…", "x".repeat(40), "y".repeat(40))
    );
    // and a text of more figures than any summary prints is refused, naming its line
    let e = draft::draft_text(
        Path::new("t.txt"),
        &format!("a\n{}\n", "1億円 ".repeat(10_001)),
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("t.txt:2: over 10000 figures outside the projects"),
        "{e}"
    );
}

/// A draft placed in data/ used to break every command with "links.toml: No such file";
/// now it loads as far as its first open decision and names it.
#[test]
fn a_draft_folder_in_data_names_what_it_still_needs() {
    let s = Scratch::new("draft-in-data");
    let t = Tmp::new("draft-in-data");
    let d = t.0.join("fy2025-draft");
    medrd(&["draft", FY2024, "-o", d.to_str().unwrap()]).ok();
    assert!(d.join("links.toml").is_file());
    let copy = run(std::process::Command::new("cp")
        .arg("-a")
        .arg(&d)
        .arg(s.dir.join("data")));
    assert_eq!(copy.code, 0);
    let r = s.medrd(&["stats"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("data/fy2025-draft/") && r.stderr.contains("needs_review = "),
        "{}",
        r.stderr
    );
    // a folder without links.toml says so
    std::fs::remove_file(s.dir.join("data/fy2025-draft/links.toml")).unwrap();
    let r = s.medrd(&["stats"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("the document folder has no links.toml"),
        "{}",
        r.stderr
    );
}
