//! Writing every diagram of a build into a directory: the graphs (DOT, Mermaid, SVG by
//! Graphviz) and the timeline charts, each a job of its own so that a build draws them on
//! every core beside its other work ([`Writer::jobs`]). An SVG whose DOT is byte for byte
//! the one an earlier build drew, with the same Graphviz, is taken from that build instead of
//! running `dot` again: `dot` is most of a build's time, and most builds change few diagrams.

use super::{
    all_kinds, build, dot, drawn, graphviz, money_kinds_in, render, timeline, timeline_kinds,
    Format, Kind, Lang,
};
use crate::error::{Error, Result};
use crate::parallel::{self, Job};
use crate::query::memo::Memo;
use crate::Kb;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// An earlier build's file is read for reuse only up to this size (no diagram comes close).
const REUSE_LIMIT: u64 = 64 << 20;

/// Draws diagrams into one directory (and its `timeline/`), sharing what every job needs:
/// whether Graphviz is there, and where an earlier build's diagrams are.
pub struct Writer<'a> {
    kb: &'a Kb,
    /// The answers shared with the rest of the build.
    memo: &'a Memo<'a>,
    dir: PathBuf,
    /// Cleared by the first job that finds no `dot`: the others write no SVG either.
    svg: AtomicBool,
    /// The diagrams directory of an earlier build, whose SVGs may be reused.
    earlier: Option<PathBuf>,
    /// Files are written into a build's stage, not flushed one by one: the caller flushes
    /// the stage whole.
    stage: Option<&'a crate::fence::Stage>,
    /// The `dot` processes the jobs draw their SVGs with, kept running between diagrams.
    dots: graphviz::Pool,
}

impl<'a> Writer<'a> {
    /// A writer into `dir`, created if absent, asking its queries through `memo`.
    pub fn new(kb: &'a Kb, memo: &'a Memo<'a>, dir: &Path) -> Result<Self> {
        let charts = dir.join("timeline");
        std::fs::create_dir_all(&charts).map_err(|e| Error::io(&charts, e))?;
        Ok(Writer {
            kb,
            memo,
            dir: dir.to_owned(),
            svg: AtomicBool::new(true),
            earlier: None,
            stage: None,
            dots: graphviz::Pool::new(),
        })
    }

    /// Reuses the SVGs of the diagrams directory of an earlier build (one `medrd build`
    /// wrote, a directory and not a link) where its DOT is this one's.
    pub fn reusing(mut self, earlier: Option<PathBuf>) -> Self {
        self.earlier = earlier.filter(|d| crate::fence::is_real_dir(d));
        self
    }

    /// Whether Graphviz was there for every SVG asked of it (false once a job found no
    /// `dot`: the diagrams are DOT and Mermaid only).
    pub fn found_graphviz(&self) -> bool {
        self.svg.load(Ordering::Relaxed)
    }

    /// Writes into a build's `stage`, without flushing each file
    /// ([`crate::fence::write_staged`]).
    pub fn staged(mut self, stage: &'a crate::fence::Stage) -> Self {
        self.stage = Some(stage);
        self
    }

    /// One job per kind of timeline chart (the charts of every program, project and
    /// ministry, the slowest jobs, first), then one per diagram: every built-in diagram,
    /// every money diagram and each older year's budget (`budget-YEAR`). Each job gives the
    /// files it wrote.
    pub fn jobs(&'a self) -> Result<Vec<Job<'a, Vec<PathBuf>, Error>>> {
        let years = self.kb.sources.years();
        let older = years[..years.len().saturating_sub(1)]
            .iter()
            .map(|y| (Kind::Budget, Some(y.year)));
        let kinds = all_kinds(self.kb)?
            .into_iter()
            .chain(money_kinds_in(self.kb, self.memo)?);
        let graphs = kinds.map(|k| (k, None)).chain(older);
        let mut jobs: Vec<Job<'a, Vec<PathBuf>, Error>> = Vec::new();
        let mut charts: BTreeMap<timeline::Subject, Vec<String>> = BTreeMap::new();
        for kind in timeline_kinds(self.kb)? {
            if let Kind::Timeline(subject, slug) = kind {
                charts.entry(subject).or_default().push(slug);
            }
        }
        for (subject, slugs) in charts {
            jobs.push(Box::new(move || self.charts(subject, &slugs)));
        }
        for (kind, fy) in graphs {
            jobs.push(Box::new(move || self.graph(&kind, fy)));
        }
        Ok(jobs)
    }

    /// Draws one diagram as DOT, Mermaid and (while Graphviz is there) SVG.
    pub fn graph(&self, kind: &Kind, fy: Option<i32>) -> Result<Vec<PathBuf>> {
        let mut d = build(self.kb, kind, Lang::Ja, fy)?;
        if let Some(year) = fy {
            d.name = format!("{}-{year}", d.name);
        }
        let text = dot::to_dot(&d);
        let mut written = Vec::new();
        for f in [Format::Dot, Format::Mermaid, Format::Svg] {
            let path = self.dir.join(format!("{}.{}", d.name, f.extension()));
            let bytes = match f {
                Format::Dot => text.as_bytes().to_vec(),
                Format::Svg if !self.svg.load(Ordering::Relaxed) => continue,
                Format::Svg => match self
                    .reused_svg(&d.name, text.as_bytes())
                    .map(Ok)
                    .unwrap_or_else(|| drawn(&d, &text, "svg", Some(&self.dots)))
                {
                    Err(Error::Graphviz(_)) => {
                        self.svg.store(false, Ordering::Relaxed);
                        continue;
                    }
                    drawn => drawn?,
                },
                f => render(&d, f)?,
            };
            crate::fence::write_entry_or_staged(&path, true, self.stage, |w| w.write_all(&bytes))?;
            written.push(path);
        }
        Ok(written)
    }

    /// The timeline charts of every `slugs` of one subject (its query runs once for all).
    pub fn charts(&self, subject: timeline::Subject, slugs: &[String]) -> Result<Vec<PathBuf>> {
        let rows = timeline::rows_by_subject_in(self.kb, subject, Some(self.memo))?;
        let mut written = Vec::new();
        for slug in slugs {
            let kind = Kind::Timeline(subject, slug.clone());
            // Slugs come from the data: keep the file name plain whatever they hold.
            let safe: String = slug
                .chars()
                .map(|c| match c {
                    c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => c,
                    _ => '_',
                })
                .collect();
            let path = self
                .dir
                .join("timeline")
                .join(format!("{}-{safe}.svg", subject.as_str()));
            let (title, chart_rows) = timeline::build_from(self.kb, &kind, Lang::Ja, &rows)?;
            let bytes = timeline::chart(&chart_rows, &title, Lang::Ja);
            crate::fence::write_entry_or_staged(&path, true, self.stage, |w| {
                w.write_all(bytes.as_bytes())
            })?;
            written.push(path);
        }
        Ok(written)
    }

    /// The SVG an earlier build drew from the same DOT with the Graphviz installed now, if
    /// there is one ([`earlier_svg`]).
    fn reused_svg(&self, name: &str, dot: &[u8]) -> Option<Vec<u8>> {
        let earlier = self.earlier.as_ref()?;
        let version = graphviz::version()?;
        earlier_svg(earlier, &version, name, dot)
    }
}

/// The SVG of the diagram `name` in an earlier build's diagrams directory, if it was drawn
/// from this `dot` text by the Graphviz `version` (`dot -V`'s line): both files plain files
/// (no links), the DOT byte for byte this one, the SVG naming the version in its
/// `Generated by` comment.
pub(super) fn earlier_svg(
    earlier: &Path,
    version: &str,
    name: &str,
    dot: &[u8],
) -> Option<Vec<u8>> {
    if read_plain(&earlier.join(format!("{name}.dot")))? != dot {
        return None;
    }
    let svg = read_plain(&earlier.join(format!("{name}.svg")))?;
    let head = String::from_utf8_lossy(&svg[..svg.len().min(512)]).into_owned();
    head.contains(&format!("<!-- Generated by {version}"))
        .then_some(svg)
}

/// A regular file's bytes, if it is one (not a link, a FIFO or a device) of at most
/// [`REUSE_LIMIT`] bytes: opened without following a link and without waiting, then checked.
fn read_plain(path: &Path) -> Option<Vec<u8>> {
    let (file, meta) = crate::fence::open_regular(path)?;
    if meta.len() > REUSE_LIMIT {
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).ok()?);
    file.take(REUSE_LIMIT).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// Writes every built-in diagram (Japanese labels) and the money diagram of every program
/// with an RS link (`money-SLUG`) into `dir`: `.dot` and `.mmd` always,
/// `.svg` when Graphviz `dot` is installed; and the timeline chart (SVG, no Graphviz needed)
/// of every program, project and ministry into `dir/timeline/` as `program-SLUG.svg`,
/// `project-N.svg`, `ministry-CODE.svg`. Returns the files written, sorted. Only a `dot`
/// that is not there means no SVG; a `dot` that fails or hangs on any diagram is an error.
pub fn write_all(kb: &Kb, dir: &Path) -> Result<Vec<PathBuf>> {
    let memo = Memo::new(kb);
    let writer = Writer::new(kb, &memo, dir)?;
    let mut written: Vec<PathBuf> = parallel::run(writer.jobs()?)?
        .into_iter()
        .flatten()
        .collect();
    written.sort();
    Ok(written)
}
