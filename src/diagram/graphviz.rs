//! Running Graphviz `dot`: once for one drawing ([`run_dot`]), or kept running to draw one
//! graph after another ([`Pool`]). A `dot` started afresh for each of a build's graphs spends
//! most of its time starting (its plugins, fontconfig, the CJK font): about 30 ms of the
//! 45 ms a small diagram takes. One kept running pays that once.
//!
//! Each process's input, output and errors are moved by threads of their own, so that a
//! `dot` that hangs or stops reading is killed at its time limit ([`timeout`]) instead of
//! hanging the caller; what is read of its output and its errors is bounded.

use crate::error::{Error, Result};
use std::io::{ErrorKind, Write};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// At most this much of `dot`'s output for one drawing is read (no diagram comes close).
const OUTPUT_LIMIT: usize = 256 << 20;

/// At most this much of what `dot` says on stderr is kept for an error message.
const STDERR_LIMIT: usize = 64 << 10;

/// Where an SVG of `dot` ends: it writes nothing after it, and a label's `<` is escaped.
const SVG_END: &[u8] = b"</svg>\n";

/// Whether Graphviz `dot` is on PATH.
pub fn available() -> bool {
    Command::new("dot")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The installed Graphviz as its SVGs name it (`graphviz version 2.43.0 (0)`, from `dot -V`),
/// if `dot` runs: asked once a process.
pub fn version() -> Option<String> {
    static VERSION: OnceLock<Option<String>> = OnceLock::new();
    VERSION.get_or_init(ask_version).clone()
}

fn ask_version() -> Option<String> {
    let out = Command::new("dot")
        .arg("-V")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&out.stderr);
    let start = text.find("graphviz version")?;
    Some(text[start..].trim().to_owned())
}

/// How long `dot` may take over one drawing: `MEDRD_DOT_TIMEOUT` seconds, else 60 s. A
/// `dot` that hangs would otherwise hang `medrd build` with it.
pub fn timeout() -> Duration {
    std::env::var("MEDRD_DOT_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(Duration::from_secs(60), Duration::from_secs_f64)
}

/// Runs `dot -T<format>` on DOT text, within [`timeout`]. Only a `dot` that cannot be
/// started because it is not there is [`Error::Graphviz`] ("install Graphviz"); a `dot`
/// that exits non-zero, dies or runs out of time is [`Error::GraphvizFailed`] with its exit
/// status and stderr.
pub fn run_dot(dot: &str, format: &str) -> Result<Vec<u8>> {
    let deadline = Instant::now() + timeout();
    let mut process = Process::start(format, Kept::No)?;
    process.send(dot);
    process.close_input();
    let out = match process.read(deadline, |_| false) {
        Output::Whole(out) | Output::Ended(out) => out,
        Output::Said => unreachable!("a run of its own gathers what dot says"),
        Output::Failed(e) => return Err(e),
    };
    match process.status(deadline) {
        Ok(status) if status.success() => Ok(out),
        Ok(status) => Err(process.failed(status, deadline)),
        Err(e) => Err(e),
    }
}

/// How often a kept `dot`'s stderr is looked at while its drawing is waited for.
const LOOK: Duration = Duration::from_millis(10);

/// `dot -Tsvg` processes kept running between the graphs of a build: one for each thread
/// drawing at the same time, each drawing one graph after another.
///
/// Every diagram is laid out by `dot` itself ([`super::dot::to_graph`]), and only such a graph
/// without clusters may be given to a shared process: Graphviz 2.43's `neato` leaves state
/// behind that changes how the next graph is drawn, and `dot` orders clusters by where their
/// names lie in its memory ([`super::dot::has_boxes`]). Other graphs laid out by `dot` come
/// out the same whatever was drawn before them, byte for byte as a run of their own draws
/// them (the suite checks every diagram of a build), once [`unpaged`] has undone the one thing
/// that differs.
///
/// A kept `dot` cannot say by its exit status that one graph went wrong: it goes on to the
/// next. So a drawing counts only if `dot` said nothing on stderr while making it (its
/// errors and warnings are written before the SVG is flushed, so they are there to be seen
/// once the SVG is whole) and the SVG is all it wrote. Otherwise the graph is drawn again
/// by a `dot` of its own, whose exit status and message are this graph's alone.
#[derive(Default)]
pub struct Pool {
    idle: Mutex<Vec<Process>>,
}

impl Drop for Pool {
    /// Every kept `dot` is told to stop before any is waited for, so that they end
    /// together.
    fn drop(&mut self) {
        let idle = self.idle.get_mut().unwrap_or_else(PoisonError::into_inner);
        for process in idle.iter_mut() {
            process.close_input();
            let _ = process.child.kill();
        }
    }
}

impl Pool {
    /// An empty pool: a process is started when a drawing needs one and none is free.
    pub fn new() -> Self {
        Self::default()
    }

    /// The SVG `dot` draws of DOT text laid out by `dot` (see [`Pool`]), as [`run_dot`]
    /// would draw it: within [`timeout`], and that again if it is drawn again.
    pub fn svg(&self, dot: &str) -> Result<Vec<u8>> {
        if cfg!(not(unix)) {
            // A kept dot's stderr is read without waiting only on unix.
            return run_dot(dot, "svg");
        }
        let deadline = Instant::now() + timeout();
        let free = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut process = match free {
            Some(p) => p,
            None => Process::start("svg", Kept::Yes)?,
        };
        process.send(dot);
        match process.read(deadline, |out| out.ends_with(SVG_END)) {
            Output::Whole(svg) if svg.starts_with(b"<?xml") => {
                self.idle
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(process);
                Ok(unpaged(svg))
            }
            // Drawn again with a time limit of its own: the message of a `dot` cut short
            // by the rest of this one would be of the time, not of the graph.
            Output::Whole(_) | Output::Said | Output::Ended(_) => {
                drop(process);
                run_dot(dot, "svg")
            }
            Output::Failed(e) => Err(e),
        }
    }
}

/// Whether a [`Process`] is kept to draw one graph after another.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kept {
    /// One drawing: what `dot` says on stderr is gathered for its error message.
    No,
    /// Many: what `dot` says is looked for, without waiting, while and after each drawing.
    Yes,
}

/// What [`Process::read`] read.
enum Output {
    /// All of one drawing, as far as the caller can tell.
    Whole(Vec<u8>),
    /// What `dot` wrote before its output ended.
    Ended(Vec<u8>),
    /// A kept `dot` wrote on stderr during the drawing.
    Said,
    /// Out of time (the process is killed) or too much output.
    Failed(Error),
}

/// What `dot` says on stderr.
enum Errors {
    /// All of it, up to [`STDERR_LIMIT`], once it ends: read by a thread of its own.
    Gathered(Receiver<Vec<u8>>),
    /// The pipe itself, read without waiting ([`Process::said_something`]).
    Polled(ChildStderr),
}

/// A running `dot -T<format>`.
struct Process {
    child: Child,
    format: String,
    /// To the thread that writes `dot`'s input; dropped, it closes that input.
    input: Option<Sender<Vec<u8>>>,
    /// From the thread that reads `dot`'s output, a chunk at a time (a few chunks at most
    /// wait in it); closed at its end.
    output: Receiver<Vec<u8>>,
    errors: Errors,
}

impl Process {
    /// Starts `dot -T<format>` and the threads that move its input and output.
    fn start(format: &str, kept: Kept) -> Result<Self> {
        let mut child = Command::new("dot")
            .arg(format!("-T{format}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                if e.kind() == ErrorKind::NotFound {
                    Error::Graphviz(format!(
                        "Graphviz `dot` is not on PATH; install Graphviz (Debian: apt-get \
                         install graphviz fonts-noto-cjk) to write {format}, or use --format \
                         dot or mermaid"
                    ))
                } else {
                    Error::GraphvizFailed(format!("running dot: {e}"))
                }
            })?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let (input, feed) = mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            for bytes in feed {
                if stdin
                    .write_all(&bytes)
                    .and_then(|()| stdin.flush())
                    .is_err()
                {
                    break;
                }
            }
        });
        let (give, output) = mpsc::sync_channel(4);
        let stdout = child.stdout.take().expect("stdout is piped");
        std::thread::spawn(move || {
            chunks(stdout, |chunk| give.send(chunk.to_vec()).is_ok());
        });
        let stderr = child.stderr.take().expect("stderr is piped");
        let errors = match kept {
            Kept::Yes => Errors::Polled(unwaiting(stderr)?),
            Kept::No => Errors::Gathered(gathered(stderr)),
        };
        Ok(Process {
            child,
            format: format.to_owned(),
            input: Some(input),
            output,
            errors,
        })
    }

    /// Gives DOT text to `dot` (written by the input thread, so never waited for here).
    fn send(&self, dot: &str) {
        if let Some(input) = &self.input {
            // A closed channel means the writer stopped on a closed pipe: `dot` has ended,
            // which reading its output finds.
            let _ = input.send(dot.as_bytes().to_vec());
        }
    }

    /// Closes `dot`'s input: it ends once it has drawn what it was given.
    fn close_input(&mut self) {
        self.input = None;
    }

    /// Reads `dot`'s output until `whole` says it holds a whole drawing or the output ends,
    /// killing `dot` at `deadline`. A kept `dot` that says something
    /// on stderr meanwhile is not read further ([`Output::Said`]).
    fn read(&mut self, deadline: Instant, whole: impl Fn(&[u8]) -> bool) -> Output {
        // A kept dot's stderr is looked at every LOOK while a drawing is awaited.
        let mut out = Vec::new();
        loop {
            if self.said_something() {
                return Output::Said;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let wait = match &self.errors {
                Errors::Polled(_) => left.min(LOOK),
                Errors::Gathered(_) => left,
            };
            match self.output.recv_timeout(wait) {
                Ok(chunk) if out.len() + chunk.len() > OUTPUT_LIMIT => {
                    self.kill();
                    return Output::Failed(Error::GraphvizFailed(format!(
                        "dot -T{} wrote more than {} MiB for one drawing and was killed",
                        self.format,
                        OUTPUT_LIMIT >> 20
                    )));
                }
                Ok(chunk) => {
                    out.extend_from_slice(&chunk);
                    if whole(&out) {
                        // Anything dot said while drawing this is in the pipe by now.
                        return if self.said_something() {
                            Output::Said
                        } else {
                            Output::Whole(out)
                        };
                    }
                }
                Err(RecvTimeoutError::Timeout) if Instant::now() >= deadline => {
                    return Output::Failed(self.timed_out());
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Output::Ended(out),
            }
        }
    }

    /// Whether a kept `dot` has written anything on stderr (read without waiting).
    fn said_something(&mut self) -> bool {
        let Errors::Polled(stderr) = &mut self.errors else {
            return false;
        };
        let mut buf = [0; 4096];
        loop {
            match std::io::Read::read(stderr, &mut buf) {
                Ok(n) => return n > 0,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return false, // WouldBlock: nothing said
            }
        }
    }

    /// How `dot` ended, waiting for it until `deadline`.
    fn status(&mut self, deadline: Instant) -> Result<ExitStatus> {
        let mut pause = Duration::from_millis(1);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() >= deadline => return Err(self.timed_out()),
                Ok(None) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(2 * LOOK);
                }
                Err(e) => {
                    return Err(Error::GraphvizFailed(format!("waiting for dot: {e}")));
                }
            }
        }
    }

    /// The error of a `dot` that ended with `status`, with what it said on stderr (waited
    /// for until `deadline`: something `dot` started may still hold its stderr).
    fn failed(&self, status: ExitStatus, deadline: Instant) -> Error {
        let said = match &self.errors {
            Errors::Gathered(said) => loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match said.recv_timeout(left) {
                    Ok(said) => break said,
                    Err(RecvTimeoutError::Timeout) if !left.is_zero() => {}
                    Err(_) => break Vec::new(),
                }
            },
            Errors::Polled(_) => Vec::new(),
        };
        Error::GraphvizFailed(format!(
            "dot -T{} failed ({status}): {}",
            self.format,
            String::from_utf8_lossy(&said).trim()
        ))
    }

    /// Kills `dot` for running out of time, and says so. The pipe threads end when its
    /// pipes close; they are not waited for, in case something it started still holds them.
    fn timed_out(&mut self) -> Error {
        self.kill();
        Error::GraphvizFailed(format!(
            "dot -T{} timed out after {} s and was killed (set MEDRD_DOT_TIMEOUT to allow \
             longer)",
            self.format,
            timeout().as_secs_f64()
        ))
    }

    fn kill(&mut self) {
        self.close_input();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    /// A `dot` left waiting for its next graph is stopped and reaped.
    fn drop(&mut self) {
        self.kill();
    }
}

/// What `dot` says on `stderr`, read by a thread of its own and given whole (up to
/// [`STDERR_LIMIT`]) when it ends.
fn gathered(stderr: ChildStderr) -> Receiver<Vec<u8>> {
    let (said, errors) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        chunks(stderr, |chunk| {
            let room = STDERR_LIMIT.saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            true
        });
        let _ = said.send(kept);
    });
    errors
}

/// `stderr` made to give what is there without waiting for more.
#[cfg(unix)]
fn unwaiting(stderr: ChildStderr) -> Result<ChildStderr> {
    use std::os::fd::AsRawFd;
    let fd = stderr.as_raw_fd();
    // SAFETY: fcntl on a file descriptor this process owns (the pipe's end, held by
    // `stderr`), changing only its flags.
    let set = unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        flags >= 0 && libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) == 0
    };
    if set {
        Ok(stderr)
    } else {
        Err(Error::GraphvizFailed(format!(
            "reading dot's errors without waiting: {}",
            std::io::Error::last_os_error()
        )))
    }
}

/// Off unix no `dot` is kept ([`Pool::svg`]).
#[cfg(not(unix))]
fn unwaiting(_: ChildStderr) -> Result<ChildStderr> {
    Err(Error::GraphvizFailed(
        "a dot kept running needs unix here".into(),
    ))
}

/// Reads `from` a chunk at a time into `each` until it ends, fails, or `each` says stop.
fn chunks(mut from: impl std::io::Read, mut each: impl FnMut(&[u8]) -> bool) {
    let mut buf = vec![0; 64 << 10];
    loop {
        match from.read(&mut buf) {
            Ok(0) => return,
            Ok(n) if !each(&buf[..n]) => return,
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// An SVG drawn by a `dot` that drew others before it, as a run of its own draws it:
/// Graphviz 2.43 leaves the page counter of the graph before set, and names the root group
/// of every later graph `page0,1_graph0` where a graph of its own is `graph0`. Any other
/// SVG is given back as it is.
pub fn unpaged(mut svg: Vec<u8>) -> Vec<u8> {
    const OPEN: &[u8] = b"<g id=\"";
    let Some(at) = svg.windows(OPEN.len()).position(|w| w == OPEN) else {
        return svg;
    };
    let id = at + OPEN.len();
    let prefix = page_prefix(&svg[id..]);
    let rest = &svg[id + prefix..];
    let root = rest.starts_with(b"graph")
        && rest
            .iter()
            .position(|&b| b == b'"')
            .is_some_and(|end| rest[end..].starts_with(b"\" class=\"graph\""));
    if prefix > 0 && root {
        svg.drain(id..id + prefix);
    }
    svg
}

/// The length of a `page<digits>,<digits>_` at the start of `id`, or 0.
fn page_prefix(id: &[u8]) -> usize {
    let digits = |from: usize| {
        id.get(from..)
            .map_or(0, |s| s.iter().take_while(|b| b.is_ascii_digit()).count())
    };
    if !id.starts_with(b"page") {
        return 0;
    }
    let x = digits(4);
    let comma = 4 + x;
    if x == 0 || id.get(comma) != Some(&b',') {
        return 0;
    }
    let y = digits(comma + 1);
    let underscore = comma + 1 + y;
    if y == 0 || id.get(underscore) != Some(&b'_') {
        return 0;
    }
    underscore + 1
}

#[cfg(test)]
mod tests {
    use super::unpaged;

    fn svg(id: &str) -> Vec<u8> {
        format!(
            "<svg>\n<g id=\"{id}\" class=\"graph\" transform=\"scale(1 1)\">\n\
             <g id=\"node1\" class=\"node\"></g>\n</g>\n</svg>\n"
        )
        .into_bytes()
    }

    #[test]
    fn the_page_prefix_of_a_later_graph_comes_off_its_root_group_only() {
        assert_eq!(unpaged(svg("page0,1_graph0")), svg("graph0"));
        assert_eq!(unpaged(svg("page12,3_graph0")), svg("graph0"));
        // A graph drawn first, and ids that only look alike, are left as they are.
        for id in [
            "graph0",
            "page0,1_node1",
            "page,1_graph0",
            "page0_graph0",
            "page0,_graph0",
        ] {
            assert_eq!(unpaged(svg(id)), svg(id), "{id}");
        }
        let node_first = b"<g id=\"page0,1_graph0\" class=\"node\">".to_vec();
        assert_eq!(unpaged(node_first.clone()), node_first);
        assert_eq!(unpaged(b"no group".to_vec()), b"no group".to_vec());
    }
}
