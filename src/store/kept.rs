//! Answers kept beside an on-disk store. Over every review sheet on RocksDB the explorer's
//! search entries of recipients take two minutes to read (`queries/explorer/search-money.rq`
//! sums every payment of the store), and the store does not change between two loads: the
//! answer read once is written into the store's directory (`medrd-kept/NAME.json`) with the
//! state it was read in, and the next server over the same state reads it back instead.
//!
//! A state is the store's generation (`medrd-generation`: written anew by each load that
//! changed the store, removed before it changes), what our graphs were imported from
//! (`medrd-imported`), the query's text and this medrd (its version and executable): when
//! any differs, the answer is read from the store again. In memory nothing is kept.

use super::Kb;
use std::collections::BTreeMap;
use std::path::Path;

/// A row of an answer: its bound variables' values as text.
pub type Row = BTreeMap<String, String>;

/// The folder of kept answers in the store's directory.
const DIR: &str = "medrd-kept";

/// The largest kept answer read back: a larger file is answered from the store again.
const MAX_KEPT: u64 = 1 << 30;

/// A new generation of the store: the time and the process that wrote it.
pub(super) fn new_generation() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}.{:09} {}\n",
        t.as_secs(),
        t.subsec_nanos(),
        std::process::id()
    )
}

/// The state an answer of `sparql` over `dir` would be read in, as a hash; `None` when the
/// store has no generation (a load stopped half way, or never run by this medrd).
fn state(dir: &Path, sparql: &str) -> Option<String> {
    use std::hash::Hasher;
    let generation = std::fs::read(dir.join(super::GENERATION)).ok()?;
    let imported = std::fs::read(dir.join(super::IMPORTED)).unwrap_or_default();
    let mut h = std::hash::DefaultHasher::new();
    for part in [
        &generation[..],
        &imported[..],
        sparql.as_bytes(),
        super::executable().as_bytes(),
    ] {
        h.write_usize(part.len());
        h.write(part);
    }
    Some(format!("{:016x}", h.finish()))
}

/// What a kept answer's file holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    state: String,
    rows: Vec<Row>,
}

/// The rows of the query `name` (its text `sparql`) over `kb`: on disk, those kept beside the
/// store in the state it is in; else `answer()`'s, then kept for the next time (a failure to
/// keep them is said on stderr, and the rows are given all the same).
pub fn rows<E>(
    kb: &Kb,
    name: &str,
    sparql: &str,
    answer: impl FnOnce() -> Result<Vec<Row>, E>,
) -> Result<Vec<Row>, E> {
    let safe = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let Some(dir) = kb.layout.store.as_deref().filter(|_| safe) else {
        return answer();
    };
    let Some(state) = state(dir, sparql) else {
        return answer();
    };
    let file = dir.join(DIR).join(format!("{name}.json"));
    if let Some(rows) = read(&file, &state) {
        return Ok(rows);
    }
    let rows = answer()?;
    let kept = Kept { state, rows };
    if let Err(e) = write(&file, &kept) {
        eprintln!(
            "note: the answer of {name} could not be kept beside the store ({}): {e}",
            file.display()
        );
    }
    Ok(kept.rows)
}

/// The rows kept in `file` when they were read in `state`.
fn read(file: &Path, state: &str) -> Option<Vec<Row>> {
    use std::io::Read;
    let f = std::fs::File::open(file).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut text = Vec::new();
    f.take(MAX_KEPT + 1).read_to_end(&mut text).ok()?;
    if text.len() as u64 > MAX_KEPT {
        return None;
    }
    let kept: Kept = serde_json::from_slice(&text).ok()?;
    (kept.state == state).then_some(kept.rows)
}

/// Writes `kept` into `file`, whole or not at all (written aside, then renamed).
fn write(file: &Path, kept: &Kept) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let aside = dir.join(format!(".{}.{}", std::process::id(), super::GENERATION));
    let written = (|| {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&aside)?);
        serde_json::to_writer(&mut w, kept)?;
        std::io::Write::flush(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&aside, file)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&aside);
    }
    written
}
