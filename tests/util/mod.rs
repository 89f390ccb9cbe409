//! A small harness: run `medrd` against the project (or a scratch copy of it that a test may
//! break), and read its output.

use medrd_kg::serve::{Config, Server};
use medrd_kg::{Kb, Layout};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The project root (where ontology/, data/ and queries/ live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The project's knowledge base, loaded once for the tests that use the library directly.
pub fn kb() -> &'static Kb {
    static KB: OnceLock<Kb> = OnceLock::new();
    KB.get_or_init(|| Kb::load(Layout::new(root())).expect("the knowledge base loads"))
}

/// Starts `medrd serve` in this process with `config` (it ends with the test process) and
/// gives the address it bound (use `127.0.0.1:0` for a free loopback port).
pub fn serve(config: Config) -> SocketAddr {
    serve_root(&root(), config)
}

/// Starts `medrd serve` in this process over the project files under `dir` (a [`Scratch`]).
pub fn serve_root(dir: &Path, config: Config) -> SocketAddr {
    serve_layout(Layout::new(dir), config)
}

/// Starts `medrd serve` in this process over `layout` (e.g. with `--with` files).
pub fn serve_layout(layout: Layout, config: Config) -> SocketAddr {
    let addr = serve_listening(layout, config);
    wait_ready(addr);
    addr
}

/// [`serve_layout`] without waiting for the server's own reads at start: it answers as soon
/// as it listens.
pub fn serve_listening(layout: Layout, config: Config) -> SocketAddr {
    // As `medrd serve` loads it: into the read-only copy where it can be.
    let kb = Kb::load_frozen(layout).expect("the knowledge base loads");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = medrd_kg::serve::runtime()
            .worker_threads(2)
            .build()
            .expect("a tokio runtime");
        runtime.block_on(async move {
            let server = Server::bind(kb, config).await.expect("the server binds");
            tx.send(server.local_addr())
                .expect("the test waits for the address");
            server
                .run(std::future::pending())
                .await
                .expect("the server runs");
        });
    });
    let addr = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the server starts");
    assert!(addr.ip().is_loopback());
    addr
}

/// Waits until the server at `addr` has done its own reads at start (graph sizes, the
/// explorer's search entries and shared answers: `/health` says `"ready":true`), so that a
/// test meets the server at rest, as it did when they were read before it listened.
pub fn wait_ready(addr: SocketAddr) {
    use std::io::{Read, Write};
    let started = std::time::Instant::now();
    loop {
        let mut answer = String::new();
        if let Ok(mut s) = std::net::TcpStream::connect(addr) {
            let _ = s.write_all(b"GET /health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
            let _ = s.read_to_string(&mut answer);
        }
        if answer.contains("\"ready\":true") {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "the server at {addr} is not ready after 120 s: {answer}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A server configuration on a free loopback port, otherwise the defaults but a time limit of a minute: a debug build on a loaded machine (CI's two cores running
/// other tests beside it) takes several times its usual time, and an answer cut at the
/// default 5 s would fail a test that is not about the limit. The tests of the limit set
/// their own.
pub fn loopback() -> Config {
    Config {
        bind: "127.0.0.1:0".parse().expect("a socket address"),
        timeout: TEST_TIMEOUT,
        ..Config::default()
    }
}

/// The time limit of the test servers ([`loopback`]).
pub const TEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The result of one `medrd` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Self {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts exit 0 and returns stdout.
    #[track_caller]
    pub fn ok(self) -> String {
        assert_eq!(self.code, 0, "medrd failed:\n{}", self.stderr);
        self.stdout
    }
}

/// The variables of the developer's shell that change what `medrd` reads or how it runs:
/// every `medrd` the tests start runs without them, so a `MEDRD_STORE` or `MEDRD_ENDPOINT`
/// set in the shell cannot make the tests read another store. (A test cannot set them in
/// its own process to check this: the tests run in parallel threads that spawn processes,
/// and changing the process environment under them is a race; `harness_clears_…` checks
/// the commands instead.)
pub const CLEARED_ENV: &[&str] = &[
    "MEDRD_ROOT",
    "MEDRD_STORE",
    "MEDRD_ENDPOINT",
    "MEDRD_DOT_TIMEOUT",
];

/// A command running the `medrd` binary under test, with [`CLEARED_ENV`] removed.
pub fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_medrd"));
    for v in CLEARED_ENV {
        c.env_remove(v);
    }
    c
}

/// Runs `medrd --root ROOT ARGS…`.
pub fn medrd_in(root: &Path, args: &[&str]) -> Run {
    run(command().arg("--root").arg(root).args(args))
}

/// Runs a `medrd` command built with [`command`].
pub fn run(command: &mut Command) -> Run {
    Run::from(command.output().expect("run medrd"))
}

/// Runs `medrd` on the project itself.
pub fn medrd(args: &[&str]) -> Run {
    medrd_in(&root(), args)
}

/// Parses CSV output of a query (RFC 4180 quoting, as SPARQL CSV writes it).
/// How many files of `dir` (not below it) end in `.ext`.
pub fn count_files(dir: &Path, ext: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == ext)
        })
        .count()
}

pub fn csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Runs a named query and returns its CSV rows (header first).
pub fn query(name: &str) -> Vec<Vec<String>> {
    csv(&medrd(&["query", name, "--format", "csv"]).ok())
}

/// A scratch copy of the project files that a test may change.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("medrd-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["ontology", "data", "queries"] {
            copy_dir(&root().join(sub), &dir.join(sub));
        }
        Scratch { dir }
    }

    /// Replaces the first occurrence of `from` in a file of the copy; panics if absent, so
    /// a test can never silently change nothing.
    pub fn replace(&self, file: &str, from: &str, to: &str) {
        let path = self.dir.join(file);
        let text = std::fs::read_to_string(&path).expect("read scratch file");
        assert!(text.contains(from), "{from:?} not in {file}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write scratch file");
    }

    pub fn write(&self, file: &str, text: &str) {
        std::fs::write(self.dir.join(file), text).expect("write scratch file");
    }

    pub fn medrd(&self, args: &[&str]) -> Run {
        medrd_in(&self.dir, args)
    }

    /// `medrd --root DIR ARGS…` of the copy, started in `cwd`.
    pub fn medrd_from(&self, cwd: &Path, args: &[&str]) -> Run {
        run(command()
            .current_dir(cwd)
            .arg("--root")
            .arg(&self.dir)
            .args(args))
    }

    /// Every file under the copy (recursively), to show that nothing was lost.
    pub fn files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).expect("read dir") {
                let p = e.expect("dir entry").path();
                if p.is_dir() && !p.is_symlink() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(&self.dir, &mut files);
        files.sort();
        files
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("dir entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy file");
        }
    }
}
