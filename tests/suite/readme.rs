//! The README's examples, run: every `$ medrd …` of its code blocks is run in `sh` from the
//! project root with the binary under test as `medrd`, and the lines the README shows must
//! be in what it prints, in order — so that the README cannot drift from the program again
//! (issue 24: it quoted counts three releases old).
//!
//! How a shown block is read: a line `…` (alone, or with a note after it) stands for lines
//! left out; a `…` inside a line for cells left out; runs of spaces count as one (a table's
//! column widths follow every row, a shortened one included). A block without `…` must be
//! the whole output. `medrd query` without `--format` and without a pipe shows a table, as on
//! a terminal; `medrd serve &` and the curl examples that need it are not run here
//! (scripts/ci_clients.py runs the server's clients).

use std::process::Command;

/// A command of the README and the output it shows.
struct Example {
    line: usize,
    command: String,
    shown: Vec<String>,
}

/// The `$ medrd …` examples of the fenced code blocks of `text`.
fn examples(text: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    let mut open_quote = false;
    // Whether the last example is of this block (lines of a block before its first command,
    // or of a block with none, belong to no example).
    let mut current = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("```") {
            in_block = !in_block;
            current = false;
            continue;
        }
        if !in_block {
            continue;
        }
        if open_quote {
            // The command goes on (a quoted SPARQL text over several lines).
            let e = out.last_mut().expect("a command is open");
            e.command.push('\n');
            e.command.push_str(line);
            open_quote = line.matches('\'').count() % 2 == 0;
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            open_quote = command.matches('\'').count() % 2 == 1;
            out.push(Example {
                line: i + 1,
                command: command.to_owned(),
                shown: Vec::new(),
            });
            current = true;
        } else if let Some(e) = out.last_mut().filter(|_| current) {
            e.shown.push(line.to_owned());
        }
    }
    out
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether an actual line is what a shown one says (its `…` cells left out).
fn fits(shown: &str, actual: &str) -> bool {
    let actual = squeeze(actual);
    if !shown.contains('…') {
        return actual == squeeze(shown);
    }
    let mut at = 0;
    for piece in shown.split('…').map(squeeze).filter(|p| !p.is_empty()) {
        match actual[at..].find(&piece) {
            Some(i) => at += i + piece.len(),
            None => return false,
        }
    }
    true
}

fn run(e: &Example) -> (bool, String) {
    let mut command = e.command.clone();
    if command.starts_with("medrd query") && !command.contains("--format") && !command.contains('|')
    {
        command.push_str(" --format table");
    }
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_medrd"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&command)
        .current_dir(crate::util::root())
        .env("PATH", path)
        .env_remove("MEDRD_ROOT")
        .env_remove("MEDRD_ENDPOINT")
        .output()
        .expect("sh runs");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn the_readmes_examples_print_what_it_shows() {
    let readme = std::fs::read_to_string(crate::util::root().join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(examples.len() >= 10, "the README's examples are found");
    let mut failures = Vec::new();
    // The examples of `medrd` itself (those of curl need a server: scripts/ci_clients.py).
    let own =
        |e: &&Example| e.command.starts_with("medrd ") && !e.command.trim_end().ends_with('&');
    for e in examples.iter().filter(own) {
        let (ok, actual) = run(e);
        if !ok {
            failures.push(format!(
                "README.md:{}: `{}` failed:\n{actual}",
                e.line, e.command
            ));
            continue;
        }
        let actual: Vec<&str> = actual.lines().collect();
        let shown: Vec<&String> = e.shown.iter().filter(|l| !l.trim().is_empty()).collect();
        let elided = shown.iter().any(|l| l.contains('…'));
        let mut next = 0;
        // Lines are consecutive but after a `…` line (or at the start of an elided block).
        let mut skip = elided;
        for s in shown.iter() {
            if s.trim_start().starts_with('…') {
                skip = true;
                continue;
            }
            let found = if skip {
                actual[next..].iter().position(|a| fits(s, a))
            } else {
                actual.get(next).filter(|a| fits(s, a)).map(|_| 0)
            };
            skip = false;
            match found {
                Some(i) => next += i + 1,
                None => {
                    failures.push(format!(
                        "README.md:{}: `{}` does not print\n    {s}\n  (after line {next} of its output:\n{})",
                        e.line,
                        e.command,
                        actual.join("\n")
                    ));
                    break;
                }
            }
        }
        if !elided && shown.len() != actual.iter().filter(|l| !l.trim().is_empty()).count() {
            failures.push(format!(
                "README.md:{}: `{}` prints {} lines, the README shows {}:\n{}",
                e.line,
                e.command,
                actual.len(),
                shown.len(),
                actual.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn an_example_that_drifted_is_caught() {
    let e = &examples("```\n$ medrd query project-budgets\n1 医薬品プロジェクト 999\n…\n```\n")[0];
    let (ok, actual) = run(e);
    assert!(ok, "{actual}");
    assert!(!actual.lines().any(|a| fits(&e.shown[0], a)), "{actual}");
    assert!(
        actual.lines().any(|a| fits("1 医薬品プロジェクト …", a)),
        "{actual}"
    );
}
