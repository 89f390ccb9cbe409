//! The transaction a load writes through, committed in steps where that loses nothing.
//!
//! On disk a load is one transaction to the end, so that a load that fails half way leaves
//! the store as it was. An in-memory store is new at each load and dropped with the load's
//! error, so nothing half-loaded can be seen either way; there the writer commits every
//! [`COMMIT_EVERY`] quads, because a transaction keeps an entry per insert until it commits:
//! at national scale (1.46M quads) that log was 80 MB of the import's peak, in memory the
//! store grows into what a commit frees.

use crate::error::Result;
use oxigraph::model::QuadRef;
use oxigraph::store::{Store, Transaction};

/// How many quads an in-memory load inserts in one transaction.
const COMMIT_EVERY: usize = 1 << 16;

pub(super) struct Writer<'a> {
    store: &'a Store,
    /// The open transaction; none between a step's commit and the next use.
    tx: Option<Transaction<'a>>,
    /// Inserts since the last commit.
    pending: usize,
    /// Whether to commit every [`COMMIT_EVERY`] inserts (an in-memory store).
    in_steps: bool,
}

impl<'a> Writer<'a> {
    /// A writer committing every [`COMMIT_EVERY`] inserts: only for a store the load made
    /// and drops if it fails (in memory).
    pub(super) fn in_steps(store: &'a Store) -> Self {
        Self::new(store, true)
    }

    /// A writer committing once, when told (a store that outlives a failed load: on disk).
    pub(super) fn one_transaction(store: &'a Store) -> Self {
        Self::new(store, false)
    }

    fn new(store: &'a Store, in_steps: bool) -> Self {
        Writer {
            store,
            tx: None,
            pending: 0,
            in_steps,
        }
    }

    /// The open transaction (one is started if none is).
    pub(super) fn tx(&mut self) -> Result<&mut Transaction<'a>> {
        let tx = match self.tx.take() {
            Some(tx) => tx,
            None => self.store.start_transaction()?,
        };
        Ok(self.tx.insert(tx))
    }

    /// Inserts a quad; in steps, commits when [`COMMIT_EVERY`] are pending.
    pub(super) fn insert(&mut self, quad: QuadRef<'_>) -> Result<()> {
        self.tx()?.insert(quad);
        self.pending += 1;
        if self.in_steps && self.pending >= COMMIT_EVERY {
            self.pending = 0;
            if let Some(tx) = self.tx.take() {
                tx.commit()?;
            }
        }
        Ok(())
    }

    /// Commits what is pending.
    pub(super) fn commit(mut self) -> Result<()> {
        if let Some(tx) = self.tx.take() {
            tx.commit()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphNameRef, LiteralRef, NamedNodeRef};

    fn quad(i: usize) -> oxigraph::model::Quad {
        QuadRef::new(
            NamedNodeRef::new_unchecked("http://e/s"),
            NamedNodeRef::new_unchecked("http://e/p"),
            LiteralRef::new_simple_literal(&i.to_string()),
            GraphNameRef::DefaultGraph,
        )
        .into_owned()
    }

    /// In steps, what was inserted before the last step is in the store before the writer
    /// commits; in one transaction nothing is until it does.
    #[test]
    fn commits_in_steps_only_when_asked() {
        for in_steps in [true, false] {
            let store = Store::new().unwrap();
            let mut w = if in_steps {
                Writer::in_steps(&store)
            } else {
                Writer::one_transaction(&store)
            };
            for i in 0..COMMIT_EVERY + 1 {
                w.insert(quad(i).as_ref()).unwrap();
            }
            let seen = store.len().unwrap();
            assert_eq!(seen, if in_steps { COMMIT_EVERY } else { 0 });
            w.commit().unwrap();
            assert_eq!(store.len().unwrap(), COMMIT_EVERY + 1);
        }
    }
}
