//! The overview drawn while a build loads, so that its drawing runs on the core the load
//! leaves idle. Graphviz lays the overview out with `neato`, whose routing of 116 edges
//! around 65 nodes takes 0.4 s of CPU, near a quarter of a fresh build's, in one process
//! that nothing can split; the load, meanwhile, keeps one core and a third busy. The overview's
//! rows come from the documents, which load alone in a few milliseconds: a thread loads
//! them ([`Kb::load_documents`]) beside the whole load and draws the overview from them.
//!
//! The drawing is only a guess at the build's: it is used where the whole knowledge base
//! gives the same DOT byte for byte ([`Ahead::svg`]), and `neato` draws the same DOT the
//! same way in a process of its own. Where a source changes the overview (an RS edition
//! naming a program, a `--with` file), the build draws it again: the guess costs its CPU,
//! never a different answer. An error before `dot` runs is not shown (the build's own load
//! meets the same input); `dot`'s error over the same DOT is the build's, as its drawing
//! would have been.

use super::{build, dot, graphviz, naming, Kind, Lang};
use crate::error::Result;
use crate::Kb;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The diagram drawn ahead: the one whose layout costs most.
const NAME: &str = "overview";

/// What the thread gives: its `dot`'s SVG or error, if it ran one.
type Drawing = Option<Result<Vec<u8>>>;

/// What became of the drawing, for `--timings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The build took it: its DOT was the whole knowledge base's.
    Used,
    /// Drawn from a DOT the whole knowledge base does not give: drawn again.
    NotUsed,
    /// Nothing was drawn: an earlier build's drawing of the same DOT is reused, or the
    /// documents alone did not load.
    NotDrawn,
}

/// The overview being drawn in a thread of its own, until a build asks for it
/// ([`Ahead::svg`]) or gives it up ([`Ahead::finish`], or dropping it).
pub struct Ahead {
    /// The DOT the thread draws, sent before it starts `dot`; never sent where it draws
    /// nothing.
    dot: Mutex<Option<Receiver<String>>>,
    /// The thread, until it is joined: it gives its drawing and how long after its start
    /// it had it.
    drawing: Mutex<Option<JoinHandle<(Drawing, Duration)>>>,
    /// Set to stop the thread's `dot` (it is killed within 10 ms).
    stop: Arc<AtomicBool>,
    /// When the thread started, and what became of its drawing once the build asked.
    started: Instant,
    outcome: Mutex<Option<(Outcome, Duration)>>,
}

impl Ahead {
    /// Starts loading the documents of the project at `root` and drawing their overview,
    /// unless an earlier build's overview (in its diagrams directory `earlier`) was drawn
    /// from the same DOT by the Graphviz installed now: that one is reused, as every such
    /// drawing is ([`super::write::earlier_svg`]).
    pub fn start(root: &Path, earlier: Option<PathBuf>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (send, dot) = mpsc::channel();
        let root = root.to_owned();
        let stopped = Arc::clone(&stop);
        let started = Instant::now();
        let drawing = std::thread::Builder::new()
            .name("overview ahead".into())
            // It parses and runs the rules and the overview's query: the stack their
            // bounds are sized for.
            .stack_size(crate::query::bounds::STACK_SIZE)
            .spawn(move || {
                let drawing = draw(&root, earlier.as_deref(), &stopped, &send);
                (drawing, started.elapsed())
            })
            .ok();
        Ahead {
            dot: Mutex::new(Some(dot)),
            drawing: Mutex::new(drawing),
            stop,
            started,
            outcome: Mutex::new(None),
        }
    }

    /// Nothing drawn ahead: every diagram is drawn when the build reaches it.
    pub fn none() -> Self {
        Ahead {
            dot: Mutex::new(None),
            drawing: Mutex::new(None),
            stop: Arc::new(AtomicBool::new(false)),
            started: Instant::now(),
            outcome: Mutex::new(None),
        }
    }

    /// What `dot` made of the diagram `name` ahead, if it was drawn from this very `dot`
    /// text: its SVG, or its error (a `dot` that failed or ran out of time would do the
    /// same again), waited for. Where the DOT differs, the drawing is stopped at once.
    /// Asked once; any later ask is `None`.
    pub fn svg(&self, name: &str, dot: &str) -> Option<Result<Vec<u8>>> {
        if name != NAME {
            return None;
        }
        let sent = lock(&self.dot).take()?;
        let Ok(theirs) = sent.recv() else {
            self.finish();
            self.note(Outcome::NotDrawn);
            return None;
        };
        if theirs != dot {
            self.finish();
            self.note(Outcome::NotUsed);
            return None;
        }
        let thread = lock(&self.drawing).take()?;
        let (drawn, took) = thread.join().ok()?;
        let drawn = drawn?;
        *lock(&self.outcome) = Some((Outcome::Used, took));
        Some(drawn.map_err(|e| naming(NAME, e)))
    }

    /// Once the build asked for the drawing: what became of it, and how long after the
    /// build's start the drawing was there (used) or given up (not used, not drawn).
    pub fn outcome(&self) -> Option<(Outcome, Duration)> {
        *lock(&self.outcome)
    }

    fn note(&self, outcome: Outcome) {
        *lock(&self.outcome) = Some((outcome, self.started.elapsed()));
    }

    /// Stops the drawing if it still runs (its `dot` is killed) and waits for its thread:
    /// after this, nothing of it runs or reads.
    pub fn finish(&self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = lock(&self.drawing).take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        self.finish();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The thread's work: the documents' knowledge base and the overview's DOT; then, unless an
/// earlier build drew that DOT or `stop` is set, the DOT is sent and `dot` draws it. An
/// error before `dot` runs is left for the build to find, as it loads the same inputs.
fn draw(root: &Path, earlier: Option<&Path>, stop: &AtomicBool, send: &Sender<String>) -> Drawing {
    let kb = Kb::load_documents(root).ok()?;
    let d = build(&kb, &Kind::Overview, Lang::Ja, None).ok()?;
    drop(kb);
    let text = dot::to_dot(&d);
    let reused = earlier.is_some_and(|dir| {
        graphviz::version()
            .is_some_and(|v| super::write::earlier_svg(dir, &v, NAME, text.as_bytes()).is_some())
    });
    if reused || stop.load(Ordering::Relaxed) {
        return None;
    }
    send.send(text.clone()).ok()?;
    Some(graphviz::run_dot_unless(&text, "svg", Some(stop)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    /// The overview's DOT from the documents alone.
    fn documents_dot() -> String {
        let kb = Kb::load_documents(root()).expect("the documents load");
        dot::to_dot(&build(&kb, &Kind::Overview, Lang::Ja, None).expect("drawn"))
    }

    /// The project's own data: the overview drawn ahead is the one the whole knowledge base
    /// draws, so a build uses it (that is what makes it worth its thread). Needs Graphviz.
    #[test]
    fn the_overview_drawn_ahead_is_the_whole_knowledge_bases() {
        if !graphviz::available() {
            eprintln!("skipped: Graphviz `dot` is not on PATH");
            return;
        }
        let ahead = Ahead::start(root(), None);
        let kb = Kb::load_frozen(crate::Layout::new(root())).expect("the project loads");
        let whole = dot::to_dot(&build(&kb, &Kind::Overview, Lang::Ja, None).expect("drawn"));
        let svg = ahead
            .svg(NAME, &whole)
            .expect("the overview drawn ahead is used")
            .expect("dot draws it");
        assert!(svg.starts_with(b"<?xml"), "an SVG");
        assert_eq!(
            svg,
            graphviz::run_dot(&whole, "svg").expect("dot draws it"),
            "the SVG drawn ahead is the one dot draws of the whole knowledge base's DOT"
        );
        assert!(ahead.svg(NAME, &whole).is_none(), "asked once");
    }

    /// A DOT that differs in one byte, or another diagram's name, gets nothing.
    #[test]
    fn a_drawing_ahead_is_used_only_for_its_own_dot() {
        let ahead = Ahead::start(root(), None);
        let mut text = documents_dot();
        assert!(ahead.svg("budget", &text).is_none());
        text.push(' ');
        assert!(ahead.svg(NAME, &text).is_none());
    }

    /// Over an earlier build whose overview was drawn from the same DOT by this Graphviz,
    /// nothing is drawn (the build reuses that one); by another Graphviz, it is drawn.
    /// Needs Graphviz.
    #[test]
    fn over_an_earlier_builds_overview_nothing_is_drawn() {
        let Some(version) = graphviz::version() else {
            eprintln!("skipped: Graphviz `dot` is not on PATH");
            return;
        };
        let earlier = std::env::temp_dir().join(format!("medrd-ahead-{}", std::process::id()));
        std::fs::create_dir_all(&earlier).unwrap();
        let text = documents_dot();
        std::fs::write(earlier.join("overview.dot"), &text).unwrap();
        for (by, drawn) in [(version.as_str(), false), ("graphviz version 0.1", true)] {
            let svg = format!("<?xml version=\"1.0\"?>\n<!-- Generated by {by} -->\n<svg/>\n");
            std::fs::write(earlier.join("overview.svg"), svg).unwrap();
            let ahead = Ahead::start(root(), Some(earlier.clone()));
            assert_eq!(
                ahead.svg(NAME, &text).is_some(),
                drawn,
                "earlier SVG by {by}"
            );
        }
        std::fs::remove_dir_all(&earlier).unwrap();
    }
}
