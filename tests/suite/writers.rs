//! No command writes into what it reads (issue 19, item 3): every writer — `build -o`,
//! `export -o|--dcat|--csv`, `diagram -o`, `link rs -o|--report|--rs-graph`, `link ids -o`,
//! `bench gen -o`, `draft -o` — refuses the project's inputs, every folder inside them and
//! every folder holding them, after links, whatever `--force` says, and never writes
//! through a link it finds where it writes. Each runs in a scratch copy of the project.

use crate::util::{medrd, Scratch};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `dir` with its bytes, to show that nothing changed.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_symlink() {
                out.insert(
                    p.clone(),
                    std::fs::read_link(&p)
                        .unwrap()
                        .into_os_string()
                        .into_encoded_bytes(),
                );
            } else if p.is_dir() {
                walk(&p, out);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

#[test]
fn every_writer_refuses_its_inputs_what_is_inside_them_and_what_holds_them() {
    let s = Scratch::new("writers-inputs");
    let d = &s.dir;
    std::os::unix::fs::symlink(d.join("data/fy2024-request"), d.join("to-source")).unwrap();
    std::os::unix::fs::symlink(
        d.join("data/fy2024-request/programs.toml"),
        d.join("to-programs"),
    )
    .unwrap();
    std::fs::write(d.join("extra.nt"), "<x:a> <x:b> <x:c> .\n").unwrap();
    let rs = "data/rs-2024/2-1_RS_2024_予算・執行_サマリ.zip";
    let text = "data/fy2024-request/fy2024-medical-rd-budget-request.ja.txt";
    let before = contents(d);
    let cases: &[(&[&str], &str)] = &[
        (
            &["build", "-o", "data/fy2024-request", "--force"],
            "it is inside",
        ),
        (&["build", "-o", "data/rs-2024", "--force"], "it is inside"),
        (
            &["build", "-o", "data/fy2024-request/projects", "--force"],
            "it is inside",
        ),
        (
            &["build", "-o", "queries/explorer", "--force"],
            "it is inside",
        ),
        (&["build", "-o", "to-source", "--force"], "it is inside"),
        (
            &[
                "export",
                "-o",
                "data/fy2024-request/programs.toml",
                "--force",
            ],
            "it is inside",
        ),
        (&["export", "-o", "to-programs", "--force"], "it is inside"),
        // a path through /proc is written into as a stream: it must not reach an input
        (
            &[
                "export",
                "-o",
                "/proc/self/cwd/data/fy2024-request/overview.toml",
            ],
            "it is inside",
        ),
        (
            &["export", "--dcat", "-o", "queries/new.rq"],
            "it is inside",
        ),
        (
            &["export", "--csv", "data/fy2024-request", "--force"],
            "it is inside",
        ),
        (&["export", "--csv", ".", "--force"], "it holds"),
        (
            &["diagram", "overview", "-o", "ontology/x.dot"],
            "it is inside",
        ),
        (
            &["link", "ids", "-o", "data/identifiers.toml", "--force"],
            "it is inside",
        ),
        (
            &["link", "rs", rs, "--report", "data/report.csv"],
            "it is inside",
        ),
        (
            &["link", "rs", rs, "--rs-graph", "queries/rs.ttl"],
            "it is inside",
        ),
        (
            &["link", "rs", "extra.nt", "-o", "extra.nt", "--force"],
            "it is extra.nt",
        ),
        (
            &[
                "--with",
                "extra.nt",
                "bench",
                "gen",
                "--programs",
                "1",
                "-o",
                "extra.nt",
                "--force",
            ],
            "it is extra.nt",
        ),
        (&["draft", text, "-o", "data/new-source"], "it is inside"),
        (&["draft", "extra.nt", "-o", "."], "it holds"),
    ];
    for (args, why) in cases {
        let r = s.medrd_from(d, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("refusing") && r.stderr.contains(why) && r.stderr.contains("reads"),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(contents(d), before, "{args:?} changed a file");
    }
}

/// `export --csv DIR --force` replaced `DIR/programs.csv`, a link to a file outside DIR, by
/// writing through it: now the link is replaced and its target kept.
#[test]
fn a_link_in_the_csv_directory_is_replaced_not_written_through() {
    let s = Scratch::new("writers-csv-link");
    let tables = s.dir.join("tables");
    std::fs::create_dir(&tables).unwrap();
    let victim = s.dir.join("victim.txt");
    std::fs::write(&victim, "the user's own").unwrap();
    std::os::unix::fs::symlink(&victim, tables.join("programs.csv")).unwrap();
    let r = s.medrd(&["export", "--csv", tables.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("exists"), "{}", r.stderr);
    s.medrd(&["export", "--csv", tables.to_str().unwrap(), "--force"])
        .ok();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "the user's own");
    assert!(!tables.join("programs.csv").is_symlink());
    assert!(std::fs::read_to_string(tables.join("programs.csv"))
        .unwrap()
        .starts_with("program,"));
}

/// A draft is staged in `.NAME.draft-PID` beside its folder, created afresh: a link of
/// that name (to an input) is never written through.
#[test]
fn draft_never_writes_through_a_link_where_it_stages() {
    let s = Scratch::new("writers-draft-staging");
    let before = contents(&s.dir.join("data"));
    let staging = s.dir.join(format!(".again.draft-{}", std::process::id()));
    std::os::unix::fs::symlink(s.dir.join("data/fy2024-request"), &staging).unwrap();
    let files = BTreeMap::from([
        (PathBuf::from("review.toml"), "x".to_owned()),
        (PathBuf::from("projects/p9.toml"), "x".to_owned()),
    ]);
    let e = medrd_kg::draft::write::write(&s.dir.join("again"), &files)
        .unwrap_err()
        .to_string();
    assert!(e.contains("exists"), "{e}");
    assert_eq!(contents(&s.dir.join("data")), before);
    assert!(!s.dir.join("again").exists());
}

/// The writers still write where they may: a new file beside the project root, `-o
/// /dev/null`, and a build into a new directory next to the inputs.
#[test]
fn outputs_beside_the_inputs_are_written() {
    let s = Scratch::new("writers-allowed");
    s.medrd_from(&s.dir, &["export", "-o", "kb.ttl"]).ok();
    assert!(s.dir.join("kb.ttl").is_file());
    s.medrd_from(&s.dir, &["export", "-o", "/dev/null"]).ok();
    s.medrd_from(&s.dir, &["diagram", "overview", "-o", "data-overview.dot"])
        .ok();
    assert!(medrd(&["link", "ids", "-o", "/dev/null"]).code == 0);
}
