//! medrd patch 7: hash maps and sets that grow in small steps, so that a query holding one
//! never runs long between two looks at its cancellation token.
//!
//! A hash table grows by moving every entry into a table twice its size, in one call that
//! cannot be interrupted. For the sets and maps a query fills from its input (DISTINCT's
//! tuples, GROUP BY's groups, COUNT(DISTINCT …)'s tuples, a property path's closure, a hash
//! join's built side) that move hashed every tuple again, each on a heap block of its own: a
//! `COUNT(DISTINCT *)` over a 3-way product, stopped at a server's 1 GiB memory limit, went
//! on growing its set for about half a second after its 503, holding both tables (a
//! backtrace of the stopped query; CI saw a second and more).
//!
//! Here the entries live in chunks that never move once allocated, and the index over them
//! is split into [`SHARDS`] tables by hash, each entry of which holds the hash and where the
//! entry lives. A table's growth therefore moves 1/64th of the index (16 bytes an entry) and
//! hashes nothing; a chunk never holds more than [`CHUNK`] entries. Entries come back in the
//! order they were first inserted (upstream's came in the order of its hash table), which
//! also makes the order of GROUP BY's groups and of a closure's nodes independent of the
//! hash function.

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::{BuildHasher, Hash};

/// How many tables the index is split into.
const SHARDS: usize = 64;
/// The most entries a chunk holds; the first chunks are smaller (8, 16, …), so that the
/// many small sets of a query over little data stay small.
const CHUNK: usize = 4096;

/// Where an entry is kept: its hash, its chunk and its place in the chunk.
type Slot = (u64, u32, u32);

/// A map from `K` to `V` in insertion order.
pub(crate) struct StepMap<K, V> {
    /// Empty until the first insertion, then [`SHARDS`] tables.
    index: Vec<HashTable<Slot>>,
    chunks: Vec<Vec<(K, V)>>,
    len: usize,
}

impl<K, V> Default for StepMap<K, V> {
    fn default() -> Self {
        Self {
            index: Vec::new(),
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<K: Hash + Eq, V> StepMap<K, V> {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The value of `key`, if there is one.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        let (chunk, place) = self.find(FxBuildHasher.hash_one(key), key)?;
        Some(&self.chunks[chunk][place].1)
    }

    /// The value of `key`, inserted with `value()` if there was none; and whether it was.
    pub(crate) fn get_or_insert_with(
        &mut self,
        key: K,
        value: impl FnOnce() -> V,
    ) -> (&mut V, bool) {
        let hash = FxBuildHasher.hash_one(&key);
        let (chunk, place, inserted) = match self.find(hash, &key) {
            Some((chunk, place)) => (chunk, place, false),
            None => {
                let (chunk, place) = self.push(hash, key, value());
                (chunk, place, true)
            }
        };
        (&mut self.chunks[chunk][place].1, inserted)
    }

    /// Removes every entry, and gives back what they held.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }

    fn find(&self, hash: u64, key: &K) -> Option<(usize, usize)> {
        let shard = self.index.get(shard_of(hash))?;
        shard
            .find(hash, |&(h, chunk, place)| {
                h == hash && self.chunks[chunk as usize][place as usize].0 == *key
            })
            .map(|&(_, chunk, place)| (chunk as usize, place as usize))
    }

    fn push(&mut self, hash: u64, key: K, value: V) -> (usize, usize) {
        let full = self
            .chunks
            .last()
            .is_none_or(|last| last.len() == chunk_size(self.chunks.len() - 1));
        if full {
            self.chunks
                .push(Vec::with_capacity(chunk_size(self.chunks.len())));
        }
        let chunk = self.chunks.len() - 1;
        let entries = &mut self.chunks[chunk];
        let place = entries.len();
        entries.push((key, value));
        if self.index.is_empty() {
            self.index = (0..SHARDS).map(|_| HashTable::new()).collect();
        }
        // A chunk holds at most CHUNK entries and the heap at most isize::MAX bytes, so
        // both numbers fit in 32 bits.
        let slot = (hash, chunk as u32, place as u32);
        self.index[shard_of(hash)].insert_unique(hash, slot, |&(h, _, _)| h);
        self.len += 1;
        (chunk, place)
    }
}

impl<K, V> IntoIterator for StepMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<Vec<(K, V)>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.into_iter().flatten()
    }
}

/// A set of `K` in insertion order.
pub(crate) struct StepSet<K>(StepMap<K, ()>);

impl<K> Default for StepSet<K> {
    fn default() -> Self {
        Self(StepMap::default())
    }
}

impl<K: Hash + Eq> StepSet<K> {
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Inserts `key`; true if it was not there.
    pub(crate) fn insert(&mut self, key: K) -> bool {
        self.0.get_or_insert_with(key, || ()).1
    }

    /// Inserts a clone of `key` if it is not there (and clones nothing if it is); true if
    /// it was not there.
    pub(crate) fn insert_cloned(&mut self, key: &K) -> bool
    where
        K: Clone,
    {
        let hash = FxBuildHasher.hash_one(key);
        if self.0.find(hash, key).is_some() {
            return false;
        }
        self.0.push(hash, key.clone(), ());
        true
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}

impl<K: Hash + Eq> FromIterator<K> for StepSet<K> {
    fn from_iter<I: IntoIterator<Item = K>>(iter: I) -> Self {
        let mut set = Self::default();
        for key in iter {
            set.insert(key);
        }
        set
    }
}

impl<K> IntoIterator for StepSet<K> {
    type Item = K;
    type IntoIter = std::iter::Map<
        std::iter::Flatten<std::vec::IntoIter<Vec<(K, ())>>>,
        fn((K, ())) -> K,
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().map(|(key, ())| key)
    }
}

/// The table of the index a hash goes to: the top bits of the hash mixed once more, so
/// that the shard says nothing of the bits the table itself uses (the low bits for the
/// bucket, the top seven for the tag).
fn shard_of(hash: u64) -> usize {
    (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SHARDS.trailing_zeros())) as usize
}

/// How many entries chunk number `n` holds.
fn chunk_size(n: usize) -> usize {
    (8usize << n.min(16)).min(CHUNK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_keeps_one_value_per_key_in_insertion_order() {
        let mut map = StepMap::default();
        for i in 0..20_000u64 {
            let (value, inserted) = map.get_or_insert_with(i % 7_000, || 0);
            assert_eq!(inserted, i < 7_000);
            *value += 1;
        }
        assert_eq!(map.len(), 7_000);
        assert_eq!(map.get(&6_999), Some(&2));
        assert_eq!(map.get(&7_000), None);
        let entries = map.into_iter().collect::<Vec<_>>();
        let expected = (0..7_000u64)
            .map(|k| (k, if k < 6_000 { 3 } else { 2 }))
            .collect::<Vec<_>>();
        assert_eq!(entries, expected);
    }

    #[test]
    fn a_set_clones_only_what_it_keeps() {
        let mut set = StepSet::default();
        assert!(set.insert_cloned(&"a".to_owned()));
        assert!(!set.insert_cloned(&"a".to_owned()));
        assert!(set.insert("b".to_owned()));
        assert!(!set.insert_cloned(&"b".to_owned()));
        assert_eq!(set.len(), 2);
        set.clear();
        assert_eq!(set.len(), 0);
        assert!(set.insert("a".to_owned()));
    }

    #[test]
    fn the_index_is_spread_over_every_shard() {
        let set = (0..64_000u32).collect::<StepSet<_>>();
        let sizes = set.0.index.iter().map(HashTable::len).collect::<Vec<_>>();
        assert_eq!(sizes.iter().sum::<usize>(), 64_000);
        // 1,000 an shard on average: none should be far off.
        assert!(sizes.iter().all(|&n| (700..1_300).contains(&n)), "{sizes:?}");
    }

    #[test]
    fn chunks_stop_growing_at_the_chunk_size() {
        assert_eq!(chunk_size(0), 8);
        assert_eq!(chunk_size(1), 16);
        assert_eq!(chunk_size(9), CHUNK);
        assert_eq!(chunk_size(1_000_000), CHUNK);
        let set = (0..100_000u32).collect::<StepSet<_>>();
        assert!(set.0.chunks.iter().all(|c| c.len() <= CHUNK));
    }
}
