//! `medrd build -o DIR` never deletes what it did not write (issue 10, defect 1), and a
//! Graphviz `dot` that fails or hangs fails the build instead of passing for "not
//! installed" or hanging it. Each runs in a scratch copy of the project.

use crate::util::{command, run, Scratch};
use std::path::Path;

/// A file of the user's with known content.
fn keep(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn build_into_the_project_root_or_its_parent_is_refused_and_nothing_is_lost() {
    let s = Scratch::new("build-dot");
    let work = s.dir.join("work/sub");
    keep(&work.join("notes.txt"), "mine");
    let before = s.files();
    // `.` is the project root; `..` from work/sub is work, which holds the current
    // directory; `dist/..` and a symbolic link resolve to the project root.
    std::os::unix::fs::symlink(&s.dir, s.dir.join("work/link")).unwrap();
    let before_link = s.files();
    for (cwd, out, why) in [
        (&s.dir, ".", "it is the project root"),
        (&s.dir, "dist/..", "it is the project root"),
        (&s.dir, "work/link", "it is the project root"),
        (&s.dir, "work/link/", "it is the project root"),
        (&work, ".", "current directory"),
        (&work, "..", "current directory"),
        (&work, "../..", "it is the project root"),
        (&work, "../../..", "holds the project root"),
        (&s.dir, "/", "root directory"),
    ] {
        let r = s.medrd_from(cwd, &["build", "-o", out]);
        assert_eq!(r.code, 2, "-o {out}: {}", r.stderr);
        assert!(
            r.stderr.contains("refusing") && r.stderr.contains(why),
            "-o {out}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("built"), "{}", r.stderr);
        assert_eq!(s.files(), before_link, "-o {out} lost or left files");
    }
    // --force does not open these either.
    let r = s.medrd_from(&s.dir, &["build", "--force", "-o", "."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = s.medrd_from(&work, &["build", "--force", "-o", "../../.."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Nor the project's inputs, nor a directory of --with files.
    for (args, input) in [
        (&["build", "--force", "-o", "data"][..], "data"),
        (&["build", "--force", "-o", "queries/checks/.."], "queries"),
        (
            &[
                "--with",
                "work/sub/notes.ttl",
                "build",
                "--force",
                "-o",
                "work",
            ],
            "notes.ttl",
        ),
    ] {
        let r = s.medrd_from(&s.dir, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("which the build reads") && r.stderr.contains(input),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert_eq!(s.files(), before_link);
    assert_eq!(before.len() + 1, before_link.len());
}

#[test]
fn a_foreign_directory_is_kept_unless_forced() {
    let s = Scratch::new("build-foreign");
    let foreign = s.dir.join("photos");
    keep(&foreign.join("a.jpg"), "a");
    keep(&foreign.join("album/b.jpg"), "b");
    let before = s.files();
    let r = s.medrd(&["build", "-o", foreign.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("no .medrd-build marker") && r.stderr.contains("--force"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.is_empty(),
        "checks ran before the refusal: {}",
        r.stdout
    );
    assert_eq!(s.files(), before);
    assert_eq!(
        std::fs::read_to_string(foreign.join("album/b.jpg")).unwrap(),
        "b"
    );

    // --force replaces it with a build, and leaves nothing aside.
    let r = s.medrd(&["build", "--force", "-o", foreign.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(foreign.join(".medrd-build").is_file());
    assert!(foreign.join("medrd-kg.ttl").is_file());
    assert!(!foreign.join("a.jpg").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&s.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".photos"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_existing_file_is_an_error_before_any_work() {
    let s = Scratch::new("build-file");
    let file = s.dir.join("report.txt");
    keep(&file, "mine");
    let r = s.medrd(&["build", "-o", file.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is a file"), "{}", r.stderr);
    assert!(!r.stderr.contains("built"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    assert!(!s.dir.join(".report.txt.partial").exists());
    // Even with --force.
    let r = s.medrd(&["build", "--force", "-o", file.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
}

#[test]
fn a_previous_build_is_replaced_and_a_foreign_staging_directory_is_kept() {
    let s = Scratch::new("build-again");
    let out = s.dir.join("dist");
    let o = out.to_str().unwrap();
    s.medrd(&["build", "-o", o]).ok();
    assert!(out.join(".medrd-build").is_file());
    keep(&out.join("stale.csv"), "from before");
    let r = s.medrd(&["build", "-o", o]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !out.join("stale.csv").exists(),
        "the old build was not replaced"
    );
    assert!(out.join("medrd-kg.ttl").is_file());
    readme_says(&r.stderr, o);
    let names: Vec<String> = std::fs::read_dir(&s.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".dist"))
        .collect();
    assert!(names.is_empty(), "left beside the output: {names:?}");

    // A `.dist.partial` the build did not make is not the build's to delete.
    let partial = s.dir.join(".dist.partial");
    keep(&partial.join("draft.txt"), "mine");
    let r = s.medrd(&["build", "-o", o]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(".dist.partial"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(partial.join("draft.txt")).unwrap(),
        "mine"
    );
    assert!(out.join("medrd-kg.ttl").is_file());
}

/// The build's summary is the README's (issue 24: the README quoted counts of releases
/// before): all of it where Graphviz draws the SVGs, as in the README, else up to the
/// diagrams.
fn readme_says(stderr: &str, out: &str) {
    let readme = std::fs::read_to_string(crate::util::root().join("README.md")).unwrap();
    let said = readme
        .lines()
        .find(|l| l.starts_with("built dist: "))
        .expect("the README shows a build's summary")
        .replacen("built dist: ", "", 1);
    let summary = stderr
        .lines()
        .find_map(|l| l.strip_prefix(&format!("built {out}: ")))
        .unwrap_or_else(|| panic!("no summary: {stderr}"));
    let graphviz = std::process::Command::new("dot").arg("-V").output().is_ok();
    if graphviz {
        assert_eq!(summary, said, "the README's build summary");
    } else {
        let head = |s: &str| {
            s.split(" diagram files")
                .next()
                .unwrap_or_default()
                .rsplit_once(", ")
                .map(|(h, _)| h.to_owned())
        };
        assert_eq!(head(summary), head(&said), "the README's build summary");
    }
}

/// A directory holding a fake `dot` (a shell script), to put first on PATH.
fn fake_dot(s: &Scratch, script: &str) -> String {
    let bin = s.dir.join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let dot = bin.join("dot");
    std::fs::write(&dot, format!("#!/bin/sh\n{script}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dot, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn a_dot_that_fails_fails_the_build_naming_the_diagram() {
    let s = Scratch::new("build-dot-exit");
    let path = fake_dot(&s, "echo 'dot: out of memory' >&2\nexit 3");
    let out = s.dir.join("dist");
    let r = run(command()
        .env("PATH", &path)
        .arg("--root")
        .arg(&s.dir)
        .args(["build", "-o", out.to_str().unwrap()]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("diagram ")
            && r.stderr.contains("exit status: 3")
            && r.stderr.contains("dot: out of memory"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("not on PATH"), "{}", r.stderr);
    assert!(!out.exists(), "published without its SVGs");
    assert!(!s.dir.join(".dist.partial").exists());
    // `medrd diagram` says the same, naming the diagram.
    let r = run(command()
        .env("PATH", &path)
        .arg("--root")
        .arg(&s.dir)
        .args(["diagram", "budget", "-f", "svg"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("diagram budget") && r.stderr.contains("exit status: 3"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_dot_that_hangs_times_out_and_fails_the_build() {
    let s = Scratch::new("build-dot-hang");
    let path = fake_dot(&s, "exec sleep 120");
    let out = s.dir.join("dist");
    let started = std::time::Instant::now();
    let r = run(command()
        .env("PATH", &path)
        .env("MEDRD_DOT_TIMEOUT", "0.5")
        .arg("--root")
        .arg(&s.dir)
        .args(["build", "-o", out.to_str().unwrap()]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("timed out after 0.5 s") && r.stderr.contains("diagram "),
        "{}",
        r.stderr
    );
    assert!(!out.exists());
    // Not a timing target, only that it did not wait for the 120 s sleep.
    assert!(started.elapsed() < std::time::Duration::from_secs(100));
}

/// A fake Graphviz that draws each graph as it reads it, as `dot` does, but says `said` on
/// stderr over the budget diagram, drawing it only if `draws`, and exits 1 at the end if it
/// said something and `fails`.
fn speaking_dot(s: &Scratch, said: &str, draws: bool, fails: bool) -> String {
    let svg = "printf '<?xml version=\"1.0\"?>\\n<svg>%s</svg>\\n' \"$first\"";
    let budget = if draws { svg } else { ":" };
    fake_dot(
        s,
        &format!(
            "status=0\n\
             while IFS= read -r line; do\n\
             case \"$line\" in\n\
             digraph*) first=$line ;;\n\
             '}}') case \"$first\" in\n\
             *'\"budget\"'*) echo '{said}' >&2; status={code}; {budget} ;;\n\
             *) {svg} ;;\n\
             esac ;;\n\
             esac\n\
             done\n\
             exit $status",
            code = u8::from(fails),
        ),
    )
}

/// A `dot` kept running between diagrams cannot fail one graph by its exit status: what it
/// says on stderr over a graph sends that graph to a `dot` of its own. An error with no
/// drawing fails the build at once with `dot`'s message (not at the time limit); an error
/// with a drawing fails it too; a warning over a drawing that exits 0 is a drawing.
#[test]
fn what_a_kept_dot_says_over_a_graph_is_that_graphs_alone() {
    let s = Scratch::new("build-dot-says");
    let out = s.dir.join("dist");
    let build = |path: &str| {
        run(command()
            .env("PATH", path)
            .env("MEDRD_DOT_TIMEOUT", "50")
            .arg("--root")
            .arg(&s.dir)
            .args(["build", "-o", out.to_str().unwrap()]))
    };
    for draws in [false, true] {
        let started = std::time::Instant::now();
        let r = build(&speaking_dot(&s, "Error: layout failed", draws, true));
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("diagram budget")
                && r.stderr.contains("exit status: 1")
                && r.stderr.contains("Error: layout failed")
                && !r.stderr.contains("timed out"),
            "{}",
            r.stderr
        );
        assert!(!out.exists());
        // Not a timing target: only that it did not wait for the 50 s limit.
        assert!(started.elapsed() < std::time::Duration::from_secs(45));
    }
    let r = build(&speaking_dot(&s, "Warning: a font", true, false));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let budget = std::fs::read_to_string(out.join("diagrams/budget.svg")).unwrap();
    assert!(budget.contains("digraph \"budget\""), "{budget}");
}

/// A staging directory whose marker is locked is another build at work: a second build into
/// the same `-o` stops and leaves it alone (it used to take it for the leftover of an
/// interrupted build and delete it under the first). Unlocked, the same directory is such a
/// leftover and is replaced.
#[test]
fn a_build_running_into_the_same_output_is_left_alone_and_a_leftover_is_replaced() {
    let s = Scratch::new("build-locked");
    let out = s.dir.join("dist");
    let o = out.to_str().unwrap();
    let partial = s.dir.join(".dist.partial");
    keep(&partial.join(".medrd-build"), "written by medrd build");
    keep(&partial.join("medrd-kg.ttl"), "half written");
    let marker = std::fs::File::open(partial.join(".medrd-build")).unwrap();
    marker.lock().unwrap();
    let r = s.medrd(&["build", "-o", o]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("another medrd build is writing"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(partial.join("medrd-kg.ttl")).unwrap(),
        "half written"
    );
    assert!(!out.exists());

    drop(marker);
    let r = s.medrd(&["build", "-o", o]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("left by an interrupted build"),
        "{}",
        r.stderr
    );
    assert!(!partial.exists());
    assert_ne!(
        std::fs::read_to_string(out.join("medrd-kg.ttl")).unwrap(),
        "half written"
    );
}

/// A fake Graphviz whose SVG names its version and the DOT's first line, and which logs each
/// drawing: what a rebuild draws again is in the log. Like `dot`, it draws each graph as it
/// has read it (a build keeps one running between diagrams).
fn logging_dot(s: &Scratch, version: &str) -> String {
    let log = s.dir.join("dot.log");
    fake_dot(
        s,
        &format!(
            "if [ \"$1\" = -V ]; then echo 'dot - graphviz version {version}' >&2; exit 0; fi\n\
             while IFS= read -r line; do\n\
             case \"$line\" in\n\
             digraph*) first=$line ;;\n\
             '}}') echo \"$first\" >> '{}'\n\
             printf '<?xml version=\"1.0\"?>\\n<!-- Generated by graphviz version {version}\\n -->\\n<svg>%s</svg>\\n' \"$first\" ;;\n\
             esac\n\
             done",
            log.display()
        ),
    )
}

fn drawn(s: &Scratch) -> usize {
    std::fs::read_to_string(s.dir.join("dot.log"))
        .unwrap_or_default()
        .lines()
        .count()
}

/// A rebuild runs `dot` only for diagrams whose DOT changed since the build it replaces, with
/// the same Graphviz; an SVG planted as a link is never read, and never copied. A file that
/// comes out as the earlier build's is that file (linked, not written again); one changed
/// in the earlier build since, longer or shorter, or planted there as a link, is written
/// whole.
#[test]
fn a_rebuild_draws_only_what_changed() {
    let s = Scratch::new("build-svg-reuse");
    let path = logging_dot(&s, "1.0 (fake)");
    let out = s.dir.join("dist");
    let build = |path: &str| {
        let r = run(command().env("PATH", path).arg("--root").arg(&s.dir).args([
            "build",
            "-o",
            out.to_str().unwrap(),
        ]));
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    build(&path);
    let first = drawn(&s);
    let diagrams = out.join("diagrams");
    let dots = crate::util::count_files(&diagrams, "dot");
    assert_eq!(first, dots, "one drawing per diagram");
    let budget = std::fs::read(diagrams.join("budget.svg")).unwrap();
    let files = ["medrd-kg.nq", "medrd-kg.ttl", "medrd-kg.nt", "catalog.ttl"];
    let kept: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    let inode = |f: &str| std::os::unix::fs::MetadataExt::ino(&out.join(f).metadata().unwrap());
    let nq = inode("medrd-kg.nq");
    build(&path);
    assert_eq!(drawn(&s), first, "nothing changed, nothing drawn");
    assert_eq!(std::fs::read(diagrams.join("budget.svg")).unwrap(), budget);
    assert_eq!(
        inode("medrd-kg.nq"),
        nq,
        "the same bytes: the earlier file, linked"
    );
    // Changed since: Turtle longer, the catalogue's first byte, N-Triples a link to a copy.
    let mut ttl = std::fs::OpenOptions::new()
        .append(true)
        .open(out.join("medrd-kg.ttl"))
        .unwrap();
    std::io::Write::write_all(&mut ttl, b"# added\n").unwrap();
    let mut catalogue = kept[3].clone();
    catalogue[0] ^= 1;
    std::fs::write(out.join("catalog.ttl"), catalogue).unwrap();
    let copy = s.dir.join("copy.nt");
    std::fs::rename(out.join("medrd-kg.nt"), &copy).unwrap();
    std::os::unix::fs::symlink(&copy, out.join("medrd-kg.nt")).unwrap();
    let changed = [inode("medrd-kg.ttl"), inode("catalog.ttl")];
    // The earlier build's DOT of one diagram differs: that one is drawn again.
    let mut dot = std::fs::read_to_string(diagrams.join("budget.dot")).unwrap();
    dot.push_str("// edited\n");
    std::fs::write(diagrams.join("budget.dot"), dot).unwrap();
    // An SVG that is a link (to a file that would pass for ours) is not followed.
    let planted = s.dir.join("planted.svg");
    std::fs::copy(diagrams.join("overview.svg"), &planted).unwrap();
    std::fs::remove_file(diagrams.join("overview.svg")).unwrap();
    std::os::unix::fs::symlink(&planted, diagrams.join("overview.svg")).unwrap();
    build(&path);
    assert_eq!(drawn(&s), first + 2, "budget and overview drawn again");
    for (f, bytes) in files.iter().zip(&kept) {
        assert_eq!(&std::fs::read(out.join(f)).unwrap(), bytes, "{f} as built");
        assert!(out.join(f).symlink_metadata().unwrap().is_file(), "{f}");
    }
    assert_ne!(inode("medrd-kg.ttl"), changed[0], "written, not linked");
    assert_ne!(inode("catalog.ttl"), changed[1], "written, not linked");
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        kept[2],
        "a link's target is left"
    );
    assert_eq!(inode("medrd-kg.nq"), nq);
    let overview = diagrams.join("overview.svg");
    assert!(
        overview.symlink_metadata().unwrap().is_file(),
        "a file of its own"
    );
    // Another Graphviz draws everything again (on one thread, its stages timed).
    let r = run(command()
        .env("PATH", logging_dot(&s, "2.0 (fake)"))
        .env("MEDRD_THREADS", "1")
        .arg("--root")
        .arg(&s.dir)
        .args(["build", "--timings", "-o", out.to_str().unwrap()]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(drawn(&s), 2 * first + 2);
    for stage in [
        "load (",
        "validate (",
        "write every file (1 threads)",
        "in all",
    ] {
        assert!(
            r.stderr.contains(stage),
            "--timings names {stage}: {}",
            r.stderr
        );
    }
    assert!(r.stdout.is_empty(), "timings go to stderr: {}", r.stdout);
    let svg = std::fs::read_to_string(diagrams.join("budget.svg")).unwrap();
    assert!(svg.contains("graphviz version 2.0 (fake)"), "{svg}");
}

/// Without Graphviz a build still publishes, its diagrams as DOT and Mermaid, and says so.
#[test]
fn without_graphviz_a_build_writes_dot_and_mermaid_and_says_so() {
    let s = Scratch::new("build-no-dot");
    let bin = s.dir.join("empty-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let out = s.dir.join("dist");
    let r = run(command().env("PATH", &bin).arg("--root").arg(&s.dir).args([
        "build",
        "-o",
        out.to_str().unwrap(),
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("Graphviz `dot` is not on PATH, so diagrams are DOT and Mermaid only"),
        "{}",
        r.stderr
    );
    let diagrams = out.join("diagrams");
    assert_eq!(crate::util::count_files(&diagrams, "svg"), 0);
    let dots = crate::util::count_files(&diagrams, "dot");
    assert!(dots > 80, "{dots} diagrams");
    assert_eq!(crate::util::count_files(&diagrams, "mmd"), dots);
}

/// A query or rule as deep as the bounds let through (2,000 branches of UNION, where the bound is 2,048 operators) is
/// parsed and run on threads with the stack those bounds are sized for: the jobs' threads
/// that run the named queries. On threads of the default stack it aborted the build ("has
/// overflowed its stack"), where `medrd validate` passed.
#[test]
fn a_query_or_rule_as_deep_as_the_bounds_allow_builds() {
    let s = Scratch::new("build-deep");
    let branches: Vec<String> = (0..2000)
        .map(|i| format!("{{ ?s <https://example.org/p{i}> ?o }}"))
        .collect();
    let union = branches.join(" UNION ");
    s.write(
        "queries/rules/zz-deep.ru",
        &format!(
            "#+ summary: A rule as deep as the bounds allow, matching nothing.\n\
             INSERT {{ ?s <https://example.org/never> ?o }} WHERE {{ {union} }}\n"
        ),
    );
    s.write(
        "queries/zz-deep.rq",
        &format!(
            "#+ summary: A query as deep as the bounds allow, matching nothing.\n\
             SELECT ?s ?o WHERE {{ {union} }}\n"
        ),
    );
    let out = s.dir.join("dist");
    let r = s.medrd(&["build", "-o", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let csv = std::fs::read_to_string(out.join("queries/zz-deep.csv")).unwrap();
    assert_eq!(csv.trim_end(), "s,o", "no rows");
}
