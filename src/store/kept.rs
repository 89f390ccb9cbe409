//! Answers kept beside an on-disk store. Over every review sheet on RocksDB the explorer's
//! search entries of recipients take two minutes to read (`queries/explorer/search-money.rq`
//! sums every payment of the store), and the store does not change between two loads: the
//! answer read once is written into the store's directory (`medrd-kept/NAME.json`) with the
//! state it was read in, and the next server over the same state reads it back instead.
//!
//! A state is the store's generation (`medrd-generation`: removed before a load changes the
//! store, written anew once the load is done and its rules have seen every graph, see
//! [`super::Kb::load`]), what our graphs were imported from (`medrd-imported`), the query's
//! text and this medrd (its version and executable): when any differs, the answer is read
//! from the store again. A store changed by another program (an `oxigraph update`) keeps its
//! generation: remove `medrd-generation` then. In memory nothing is kept.

use super::Kb;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A row of an answer: its bound variables' values as text.
pub type Row = BTreeMap<String, String>;

/// The folder of kept answers in the store's directory.
const DIR: &str = "medrd-kept";

/// The largest answer kept: a larger one is read from the store at every start (and said).
const MAX_KEPT: u64 = 1 << 30;

/// The largest generation and import digest read (bytes).
const MAX_STATE: u64 = 256 << 20;

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

/// Where the answer of the query `name` (text `sparql`) over `kb` is kept, and the state the
/// store is in now (a hash); `None` in memory, for a name that is not a plain file name, or
/// when the store has no generation (a load stopped half way).
fn place(kb: &Kb, name: &str, sparql: &str) -> Option<(PathBuf, String)> {
    use std::hash::Hasher;
    let dir = kb.layout.store.as_deref()?;
    let plain = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if name.is_empty() || !name.bytes().all(plain) {
        return None;
    }
    let generation = crate::inputs::read(&dir.join(super::GENERATION), MAX_STATE).ok()?;
    let imported = crate::inputs::read(&dir.join(super::IMPORTED), MAX_STATE).unwrap_or_default();
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
    let file = dir.join(DIR).join(format!("{name}.json"));
    Some((file, format!("{:016x}", h.finish())))
}

/// What a kept answer's file holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    state: String,
    rows: Vec<Row>,
}

/// The rows of the query `name` (text `sparql`) kept beside `kb`'s on-disk store in the
/// state it is in now, if any. A kept file that cannot be read is said on stderr.
pub fn kept(kb: &Kb, name: &str, sparql: &str) -> Option<Vec<Row>> {
    let (file, state) = place(kb, name, sparql)?;
    file.symlink_metadata().ok()?;
    let read = crate::inputs::read(&file, MAX_KEPT)
        .map_err(|e| e.to_string())
        .and_then(|bytes| serde_json::from_slice::<Kept>(&bytes).map_err(|e| e.to_string()));
    match read {
        Ok(kept) => (kept.state == state).then_some(kept.rows),
        Err(e) => {
            eprintln!(
                "note: the kept answer {} is not read ({e}): read from the store",
                file.display()
            );
            None
        }
    }
}

/// Keeps `rows`, the answer of the query `name` (text `sparql`), beside `kb`'s on-disk
/// store, for [`kept`] to read while the store is in the state it is in now. Not kept in
/// memory; a failure is said on stderr (the rows are still the answer).
pub fn keep(kb: &Kb, name: &str, sparql: &str, rows: Vec<Row>) -> Vec<Row> {
    let Some((file, state)) = place(kb, name, sparql) else {
        return rows;
    };
    let kept = Kept { state, rows };
    if let Err(e) = write(&file, &kept) {
        eprintln!(
            "note: the answer of {name} is not kept beside the store ({}): {e}",
            file.display()
        );
    }
    kept.rows
}

/// The rows of the query `name` (text `sparql`): the [`kept`] ones, else `answer()`'s, then
/// kept ([`keep`]).
pub fn rows<E>(
    kb: &Kb,
    name: &str,
    sparql: &str,
    answer: impl FnOnce() -> Result<Vec<Row>, E>,
) -> Result<Vec<Row>, E> {
    match kept(kb, name, sparql) {
        Some(rows) => Ok(rows),
        None => Ok(keep(kb, name, sparql, answer()?)),
    }
}

/// Writes `kept` into `file`, whole or not at all, never through a link: in a folder of its
/// own in the store's directory (a link or a file of that name is not written into).
fn write(file: &Path, kept: &Kept) -> Result<(), String> {
    let bytes = serde_json::to_vec(kept).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_KEPT {
        return Err(format!(
            "{} bytes, over the limit of {MAX_KEPT}",
            bytes.len()
        ));
    }
    let dir = file.parent().ok_or("no folder")?;
    match dir.symlink_metadata() {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(format!("{} is not a folder of its own", dir.display())),
        Err(_) => std::fs::create_dir(dir).map_err(|e| e.to_string())?,
    }
    crate::fence::write_entry(file, true, |w| w.write_all(&bytes)).map_err(|e| e.to_string())
}
