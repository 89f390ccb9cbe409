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
//! Here the entries live in chunks that never move once made (the first, of 8, grows as a
//! vector does), and the index over them holds each entry's hash and where it lives. Up to
//! [`SMALL`] entries there is no index (a key is compared with each), up to [`SPLIT`] one
//! table, and past it [`SHARDS`] tables by hash: a table's growth then moves 1/64th of the
//! index (16 bytes an entry) and hashes nothing; a chunk never holds more than [`CHUNK`]
//! entries. A query makes one set per group and DISTINCT aggregate, so most sets hold a few
//! entries (64 tables from the first entry cost 2 KB a set: a GROUP BY over 180,000 quads
//! with three DISTINCT aggregates took 1.5 GB instead of 212 MB). Entries come back in the
//! order they were first inserted (upstream's came in the order of its hash table), which
//! also makes the order of GROUP BY's groups and of a closure's nodes independent of the
//! hash function.
//!
//! The chunks are a type of their own, [`Chunks`], also used where a query gathers tuples
//! without a hash (patch 12): ORDER BY's input, a cartesian product's built side and a hash
//! join's bucket of one key. A vector that doubles allocates its new buffer while the old is
//! still held, one allocation of up to hundreds of MB between two of a server's looks at its
//! heap; a chunk is at most [`CHUNK`] entries.

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use std::hash::{BuildHasher, Hash};

/// How many tables the index is split into past [`SPLIT`] entries.
const SHARDS: usize = 64;
const _: () = assert!(SHARDS.is_power_of_two() && SHARDS > 1);
/// Up to this many entries the index is one table; the split moves this many slots once.
const SPLIT: usize = 1024;
/// The most entries a chunk holds; the first chunks are smaller (8, 16, …), so that the
/// many small sets of a query over little data stay small.
const CHUNK: usize = 4096;

/// Up to this many entries (the first chunk) there is no index: a key is looked up by
/// comparing it with each, as most sets of a query hold a few entries.
const SMALL: usize = 8;
const _: () = assert!(SMALL == chunk_size(0) && SMALL < SPLIT);

/// Where an entry is kept: its hash, its chunk and its place in the chunk.
type Slot = (u64, u32, u32);

/// Where an entry of a [`StepMap`] is (its chunk and its place in it), for
/// [`StepMap::at`]: it stays there while the map grows.
#[derive(Clone, Copy)]
pub(crate) struct Place(usize, usize);

/// A chunk or a place as a slot holds it.
fn numbered(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 2^32 chunks and places")
}

/// A map from `K` to `V` in insertion order.
pub(crate) struct StepMap<K, V> {
    index: Index,
    entries: Chunks<(K, V)>,
    len: usize,
}

/// The slots of every entry: one table up to [`SPLIT`] entries, then [`SHARDS`].
enum Index {
    One(HashTable<Slot>),
    Split(Box<[HashTable<Slot>]>),
}

impl<K, V> Default for StepMap<K, V> {
    fn default() -> Self {
        Self {
            index: Index::One(HashTable::new()),
            entries: Chunks::default(),
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
        Some(&self.entries.at(chunk, place).1)
    }

    /// Where the value of `key` is, if there is one.
    pub(crate) fn place(&self, key: &K) -> Option<Place> {
        let (chunk, place) = self.find(FxBuildHasher.hash_one(key), key)?;
        Some(Place(chunk, place))
    }

    /// The value at a place [`Self::place`] gave.
    pub(crate) fn at(&self, Place(chunk, place): Place) -> &V {
        &self.entries.at(chunk, place).1
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
        (&mut self.entries.at_mut(chunk, place).1, inserted)
    }

    /// Removes every entry, and gives back what they held.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }

    fn find(&self, hash: u64, key: &K) -> Option<(usize, usize)> {
        if self.len <= SMALL {
            return Some((0, self.entries.first.iter().position(|(k, _)| k == key)?));
        }
        self.table(hash)
            .find(hash, |&(h, chunk, place)| {
                h == hash && self.entries.at(chunk as usize, place as usize).0 == *key
            })
            .map(|&(_, chunk, place)| (chunk as usize, place as usize))
    }

    fn push(&mut self, hash: u64, key: K, value: V) -> (usize, usize) {
        let (chunk, place) = self.entries.push((key, value));
        self.len += 1;
        if self.len <= SMALL {
            return (chunk, place);
        }
        if self.len == SMALL + 1 {
            self.index_first();
        } else if self.len == SPLIT + 1 {
            self.split();
        }
        let slot = (hash, numbered(chunk), numbered(place));
        self.table_mut(hash)
            .insert_unique(hash, slot, |&(h, _, _)| h);
        (chunk, place)
    }

    /// The slots of the first chunk's entries, which were looked up by comparison alone.
    fn index_first(&mut self) {
        let Index::One(table) = &mut self.index else {
            return;
        };
        table.reserve(2 * SMALL, |&(h, _, _)| h);
        for (place, (key, _)) in self.entries.first.iter().enumerate() {
            let hash = FxBuildHasher.hash_one(key);
            table.insert_unique(hash, (hash, 0, numbered(place)), |&(h, _, _)| h);
        }
    }

    /// The table of the index that holds `hash`.
    fn table(&self, hash: u64) -> &HashTable<Slot> {
        match &self.index {
            Index::One(table) => table,
            Index::Split(tables) => &tables[shard_of(hash)],
        }
    }

    fn table_mut(&mut self, hash: u64) -> &mut HashTable<Slot> {
        match &mut self.index {
            Index::One(table) => table,
            Index::Split(tables) => &mut tables[shard_of(hash)],
        }
    }

    /// The one table split into [`SHARDS`], each slot moved by its stored hash.
    fn split(&mut self) {
        let Index::One(one) = &mut self.index else {
            return;
        };
        let one = std::mem::take(one);
        let mut tables = (0..SHARDS)
            .map(|_| HashTable::with_capacity(2 * SPLIT / SHARDS))
            .collect::<Box<[_]>>();
        for slot in one {
            tables[shard_of(slot.0)].insert_unique(slot.0, slot, |&(h, _, _)| h);
        }
        self.index = Index::Split(tables);
    }
}

impl<K, V> IntoIterator for StepMap<K, V> {
    type Item = (K, V);
    type IntoIter = <Chunks<(K, V)> as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
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
    type IntoIter = std::iter::Map<<StepMap<K, ()> as IntoIterator>::IntoIter, fn((K, ())) -> K>;

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

/// How many chunks double the size of the one before: the chunks from this one on hold
/// [`CHUNK`] entries each.
const DOUBLINGS: usize = (CHUNK.trailing_zeros() - SMALL.trailing_zeros()) as usize;
const _: () = assert!(CHUNK.is_power_of_two() && SMALL.is_power_of_two() && SMALL < CHUNK);
/// How many entries the chunks before the first of [`CHUNK`] entries hold.
const BEFORE_FULL: usize = SMALL * ((1 << DOUBLINGS) - 1);

/// How many entries chunk number `n` holds.
const fn chunk_size(n: usize) -> usize {
    if n < DOUBLINGS { SMALL << n } else { CHUNK }
}

/// How many entries the chunks before chunk number `n` hold.
const fn start_of(n: usize) -> usize {
    if n <= DOUBLINGS {
        SMALL * ((1 << n) - 1)
    } else {
        BEFORE_FULL + (n - DOUBLINGS) * CHUNK
    }
}

/// The chunk and the place in it of entry number `i` of a [`Chunks`].
fn locate(i: usize) -> (usize, usize) {
    if i < BEFORE_FULL {
        let chunk = (i / SMALL + 1).ilog2() as usize;
        (chunk, i - start_of(chunk))
    } else {
        let past = i - BEFORE_FULL;
        (DOUBLINGS + past / CHUNK, past % CHUNK)
    }
}

/// Values in insertion order, kept in chunks that never move once made: the first grows as
/// a vector does up to [`SMALL`] entries, each next one is made whole, twice the size of the
/// one before, up to [`CHUNK`]. So a push never moves what was pushed before, nor allocates
/// more than a chunk, and a small one (most of a query's) is one small vector.
pub(crate) struct Chunks<T> {
    /// The first chunk, held here so that a small one allocates it alone.
    first: Vec<T>,
    /// The chunks after the first.
    rest: Vec<Vec<T>>,
}

impl<T> Default for Chunks<T> {
    fn default() -> Self {
        Self {
            first: Vec::new(),
            rest: Vec::new(),
        }
    }
}

impl<T> Chunks<T> {
    pub(crate) fn len(&self) -> usize {
        match self.rest.last() {
            None => self.first.len(),
            Some(last) => start_of(self.rest.len()) + last.len(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// Adds `value` at the end; where it is (its chunk and its place in it), for [`Self::at`].
    pub(crate) fn push(&mut self, value: T) -> (usize, usize) {
        let last = self.rest.len();
        if self.chunk(last).len() == chunk_size(last) {
            self.rest.push(Vec::with_capacity(chunk_size(last + 1)));
        }
        let chunk = self.rest.len();
        let entries = self.chunk_mut(chunk);
        entries.push(value);
        (chunk, entries.len() - 1)
    }

    /// The value at a place [`Self::push`] gave.
    pub(crate) fn at(&self, chunk: usize, place: usize) -> &T {
        &self.chunk(chunk)[place]
    }

    pub(crate) fn at_mut(&mut self, chunk: usize, place: usize) -> &mut T {
        &mut self.chunk_mut(chunk)[place]
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        std::iter::once(&self.first).chain(&self.rest).flatten()
    }

    fn chunk(&self, n: usize) -> &Vec<T> {
        if n == 0 {
            &self.first
        } else {
            &self.rest[n - 1]
        }
    }

    fn chunk_mut(&mut self, n: usize) -> &mut Vec<T> {
        if n == 0 {
            &mut self.first
        } else {
            &mut self.rest[n - 1]
        }
    }
}

/// Entry number `i`, counted from the first pushed.
impl<T> std::ops::Index<usize> for Chunks<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        let (chunk, place) = locate(i);
        self.at(chunk, place)
    }
}

impl<T> Extend<T> for Chunks<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for value in iter {
            self.push(value);
        }
    }
}

impl<T> FromIterator<T> for Chunks<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut chunks = Self::default();
        chunks.extend(iter);
        chunks
    }
}

impl<T> IntoIterator for Chunks<T> {
    type Item = T;
    type IntoIter =
        std::iter::Flatten<std::iter::Chain<std::iter::Once<Vec<T>>, std::vec::IntoIter<Vec<T>>>>;

    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(self.first).chain(self.rest).flatten()
    }
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
    fn a_place_stays_as_the_map_grows() {
        let mut map = StepMap::default();
        map.get_or_insert_with("first".to_owned(), || 1);
        let place = map.place(&"first".to_owned()).unwrap();
        for k in 0..100_000 {
            map.get_or_insert_with(k.to_string(), || k);
        }
        assert_eq!(map.at(place), &1);
        assert_eq!(map.at(map.place(&"99999".to_owned()).unwrap()), &99_999);
        assert!(map.place(&"none".to_owned()).is_none());
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

    fn tables<K, V>(map: &StepMap<K, V>) -> Vec<usize> {
        match &map.index {
            Index::One(table) => vec![table.len()],
            Index::Split(tables) => tables.iter().map(HashTable::len).collect(),
        }
    }

    #[test]
    fn a_small_set_is_one_small_table_and_a_large_one_is_split() {
        let mut set = StepSet::default();
        assert!(set.insert(1u64));
        // No index, and one chunk smaller than the first's size.
        assert_eq!(tables(&set.0), [0]);
        assert!(set.0.entries.first.capacity() < chunk_size(0));
        assert_eq!(set.0.entries.rest.capacity(), 0);
        for k in 2..=SMALL as u64 {
            assert!(set.insert(k));
            assert!(!set.insert(k));
        }
        assert_eq!(tables(&set.0), [0]);
        assert!(set.insert(SMALL as u64 + 1));
        assert_eq!(tables(&set.0), [SMALL + 1]);
        for k in 1..=SMALL as u64 + 1 {
            assert!(!set.insert(k), "{k} lost when the index was made");
        }
        for k in SMALL as u64 + 2..=SPLIT as u64 {
            assert!(set.insert(k));
        }
        assert_eq!(tables(&set.0), [SPLIT]);
        assert!(set.insert(0));
        assert_eq!(tables(&set.0).len(), SHARDS);
        for k in 0..=SPLIT as u64 {
            assert!(!set.insert(k), "{k} lost in the split");
        }
        assert_eq!(set.len(), SPLIT + 1);
    }

    #[test]
    fn the_index_is_spread_over_every_shard() {
        let set = (0..64_000u32).collect::<StepSet<_>>();
        let sizes = tables(&set.0);
        assert_eq!(sizes.len(), SHARDS);
        assert_eq!(sizes.iter().sum::<usize>(), 64_000);
        // 1,000 an shard on average: none should be far off.
        assert!(
            sizes.iter().all(|&n| (700..1_300).contains(&n)),
            "{sizes:?}"
        );
    }

    #[test]
    fn chunks_are_indexed_and_counted_as_one_vector() {
        let mut chunks = Chunks::default();
        assert!(chunks.is_empty());
        let mut places = Vec::new();
        for i in 0..3 * CHUNK + BEFORE_FULL + 5 {
            places.push(chunks.push(i));
            assert_eq!(chunks.len(), i + 1);
            assert_eq!(chunks[i], i);
        }
        assert!(!chunks.is_empty());
        for (i, &(chunk, place)) in places.iter().enumerate() {
            assert_eq!((chunk, place), locate(i));
            assert_eq!(*chunks.at(chunk, place), i);
            assert_eq!(chunks[i], i);
        }
        assert!(chunks.iter().copied().eq(0..chunks.len()));
        assert_eq!(chunks.rest.len(), DOUBLINGS + 3);
        let (last, full) = chunks.rest.split_last().unwrap();
        assert!(full.iter().all(|c| c.len() == c.capacity()));
        assert_eq!((last.len(), last.capacity()), (5, CHUNK));
        let n = chunks.len();
        assert!(chunks.into_iter().eq(0..n));
        let collected = (0..10).collect::<Chunks<_>>();
        assert_eq!((collected.len(), collected[9]), (10, 9));
    }

    #[test]
    fn chunks_stop_growing_at_the_chunk_size() {
        assert_eq!(chunk_size(0), 8);
        assert_eq!(chunk_size(1), 16);
        assert_eq!(chunk_size(9), CHUNK);
        assert_eq!(chunk_size(1_000_000), CHUNK);
        let set = (0..100_000u32).collect::<StepSet<_>>();
        assert_eq!(set.0.entries.first.len(), chunk_size(0));
        assert!(set.0.entries.rest.iter().all(|c| c.len() <= CHUNK));
        assert_eq!(set.0.entries.rest.last().map(Vec::capacity), Some(CHUNK));
    }
}
