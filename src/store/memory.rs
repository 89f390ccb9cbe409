//! The bytes the process holds on its heap (the size classes its allocator set aside for
//! them), counted by a wrapper around the global allocator, so that `medrd serve` can cancel
//! queries before they take the machine's memory (`--max-memory`).
//!
//! Why a counting allocator and not the resident set size (`/proc/self/statm`): the count is
//! current at every allocation, costs a look-up of the request's size class and one relaxed
//! atomic add per allocation and free (on a counter of the thread's own, see `STRIPES`), is
//! exact to the size class (not to what the allocator adds for an alignment over 16 bytes,
//! or for its own bookkeeping), and does not depend on when the
//! allocator gives pages back to the system (mimalloc keeps freed pages for a while, so RSS
//! lags behind what the program really holds). The
//! count is kept only by a program that installs [`Counting`] as its global allocator and
//! enables it (the `medrd` binary installs it, and enables it for `serve` alone, the one
//! command with a limit; the library's users may do neither), and otherwise no limit applies.
//!
//! The heap is shared, so the process's count alone cannot say which query grew it: each query
//! also runs under an [`Account`], a second count of what the thread evaluating it allocated
//! and freed, and at the limit the server stops the query whose account holds the most, not
//! every query that happens to be running (a small named query answering beside a runaway
//! sort was cancelled with it before; CI saw it).

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// How many counters the heap's count is spread over. One shared counter had its cache
/// line bounced between the cores at every allocation: `medrd build` on two threads spent a
/// quarter of its time in the allocator's wrapper and ran hardly faster than on one. Each
/// thread now adds to a stripe of its own (threads beyond [`STRIPES`] share), and the count
/// is their sum, read stripe by stripe: exact once the threads are still, and off by what
/// moves between threads while it is read (it is compared with limits of hundreds of MiB).
const STRIPES: usize = 32;

/// One stripe of the count, alone on its cache line (two lines: adjacent-line prefetch).
#[repr(align(128))]
struct Stripe(AtomicIsize);

static HEAP: [Stripe; STRIPES] = [const { Stripe(AtomicIsize::new(0)) }; STRIPES];
static NEXT_STRIPE: AtomicUsize = AtomicUsize::new(0);
static COUNTING: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The account this thread's allocations are charged to while it runs
    /// [`Account::charge`], or null. Const-initialised and without a destructor, so the
    /// allocator may read it at any time, thread teardown included.
    static CHARGED: Cell<*const AtomicIsize> = const { Cell::new(std::ptr::null()) };
}

thread_local! {
    /// This thread's stripe of the heap count, or `usize::MAX` before its first allocation.
    /// Const-initialised and without a destructor, like [`CHARGED`].
    static STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Adds `delta` bytes to the heap's count, on this thread's stripe.
#[inline]
fn count(delta: isize) {
    let i = STRIPE.with(|s| match s.get() {
        usize::MAX => {
            let i = NEXT_STRIPE.fetch_add(1, Ordering::Relaxed) % STRIPES;
            s.set(i);
            i
        }
        i => i,
    });
    HEAP[i].0.fetch_add(delta, Ordering::Relaxed);
}

/// Adds `delta` bytes to the account this thread is charging, if any.
#[inline]
fn charge_thread(delta: isize) {
    let account = CHARGED.with(Cell::get);
    if !account.is_null() {
        // SAFETY: the pointer is set only by `Account::charge`, which holds a reference to
        // the account for as long as it is set and clears it before returning.
        unsafe { (*account).fetch_add(delta, Ordering::Relaxed) };
    }
}

/// What an allocator sets aside for a request: the size class it rounds a request up to.
/// The count is of these, not of the bytes asked for, so that it follows what the allocator
/// holds. Counting requests fell short where a query holds many small rows: under CI's flood
/// of heavy queries over the read-only copy (16-byte terms, rows of 48 to 160 bytes) the
/// resident set stood up to 350 MiB above the requests counted, at 2 GiB, and 100-160 MiB
/// above the size classes counted (scripts/abuse-serve.sh).
pub trait SizeClasses {
    /// The bytes set aside for a request of `size` bytes.
    fn set_aside(size: usize) -> usize;
}

impl SizeClasses for std::alloc::System {
    /// The system allocator's classes are not known: the request.
    #[inline]
    fn set_aside(size: usize) -> usize {
        size
    }
}

impl SizeClasses for mimalloc::MiMalloc {
    #[inline]
    fn set_aside(size: usize) -> usize {
        let Some(known) = SMALL_CLASSES.get(size.div_ceil(WORD)) else {
            return good_size(size);
        };
        match known.load(Ordering::Relaxed) {
            0 => {
                let class = good_size(size);
                known.store(class as u32, Ordering::Relaxed);
                class
            }
            class => class as usize,
        }
    }
}

/// mimalloc's size classes of the requests up to 1 KiB, by their number of machine words (it
/// gives every request of the same number of words the same class), each taken from it at
/// its first use (0 until then; two threads filling one at once store the same class): most
/// allocations are small, and a look-up here is cheaper than a call into mimalloc at each of
/// them (1 % of a national load's CPU).
static SMALL_CLASSES: [AtomicU32; 1024 / WORD + 1] = [const { AtomicU32::new(0) }; 1024 / WORD + 1];

/// The size of mimalloc's words, in which it counts a request.
const WORD: usize = std::mem::size_of::<usize>();

/// What mimalloc sets aside for `size` bytes.
fn good_size(size: usize) -> usize {
    // SAFETY: takes a number, reads no memory of ours.
    unsafe { libmimalloc_sys::mi_good_size(size) }
}

/// Adds `delta` bytes to the heap's count and to the thread's account.
#[inline]
fn count_and_charge(delta: isize) {
    count(delta);
    charge_thread(delta);
}

/// Whether the count is kept: only once [`Counting::enable`] was called. Every other
/// command of `medrd` allocates without it (a fresh `medrd build` took about 4 % less CPU:
/// the size class looked up, the thread's stripe and account read at every allocation and
/// free). The flag is written once at start and only read after, so its cache line is
/// shared by every core, not bounced between them.
#[inline]
fn counting() -> bool {
    COUNTING.load(Ordering::Relaxed)
}

/// A global allocator that counts the bytes set aside through `A` and not yet freed.
pub struct Counting<A>(pub A);

// SAFETY: every call is forwarded to `A` with the same arguments; the wrapper only counts.
unsafe impl<A: GlobalAlloc + SizeClasses> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `layout` is the inner allocator's.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() && counting() {
            count_and_charge(A::set_aside(layout.size()) as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() && counting() {
            count_and_charge(A::set_aside(layout.size()) as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (so by `A`) with `layout`.
        unsafe { self.0.dealloc(ptr, layout) };
        if !counting() {
            return;
        }
        count_and_charge(-(A::set_aside(layout.size()) as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by `A` with `layout`; the caller checks `new_size`.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() && counting() {
            count_and_charge(
                A::set_aside(new_size) as isize - A::set_aside(layout.size()) as isize,
            );
        }
        p
    }
}

impl<A> Counting<A> {
    /// Starts the count: call once at start, before the work whose memory is to be counted
    /// and the first use of [`allocated`] (a `const` global allocator cannot do it itself).
    /// Nothing is counted before it; what was allocated before and is freed after is
    /// subtracted all the same, so the count is short by at most what the process had
    /// allocated when it called this (`medrd serve`: its parsed arguments, a few KB).
    pub fn enable(&self) {
        COUNTING.store(true, Ordering::Relaxed);
    }
}

/// Bytes set aside and not yet freed (the size classes of the requests), or `None` when the
/// count is not kept (the global allocator is not [`Counting`], or it was not enabled).
pub fn allocated() -> Option<usize> {
    COUNTING.load(Ordering::Relaxed).then(|| {
        let sum: isize = HEAP.iter().map(|s| s.0.load(Ordering::Relaxed)).sum();
        usize::try_from(sum).unwrap_or(0)
    })
}

/// What one piece of work (a query of the server) holds on the heap: the bytes allocated
/// and not freed by the threads while they ran it under [`Account::charge`]. Memory it frees
/// that was allocated before (by loading the store, say) counts against it, so an account can
/// be negative; memory it leaves behind for another thread to free stays counted until the
/// account is closed. While an account is open it is among those [`Account::to_stop`]
/// compares.
pub struct Account(Arc<Held>);

/// The counts of one open account, shared with [`OPEN`].
struct Held {
    /// Bytes held now.
    now: AtomicIsize,
    /// What it held when it was stopped, or [`RUNNING`].
    at_stop: AtomicIsize,
    /// What it held when the current wind-down began (0 when it opened later): what it grew
    /// by since is what it took of the room the stopped queries are freeing.
    at_last_stop: AtomicIsize,
}

/// The value of [`Held::at_stop`] while the work runs.
const RUNNING: isize = isize::MIN;

/// How much a running query may grow while the heap is over the limit by no more than
/// what stopped queries are still freeing. Room for a small query to go on beside a runaway
/// one that winds down, but not for a second runaway to fill the room the first frees: the
/// heap (and the resident set: CI measures it) would exceed the limit by all of it.
pub const GROWTH_WHILE_OTHERS_FREE: isize = 32 << 20;

/// The open accounts, for [`Account::to_stop`] and [`Account::stop`]. Locked only to open,
/// close, stop and compare, never by the allocator.
static OPEN: Mutex<Vec<Arc<Held>>> = Mutex::new(Vec::new());

impl Account {
    /// Opens an account, at 0 bytes.
    pub fn open() -> Self {
        let held = Arc::new(Held {
            now: AtomicIsize::new(0),
            at_stop: AtomicIsize::new(RUNNING),
            at_last_stop: AtomicIsize::new(0),
        });
        OPEN.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&held));
        Account(held)
    }

    /// Runs `f` on this thread, charging what it allocates and frees to this account.
    pub fn charge<R>(&self, f: impl FnOnce() -> R) -> R {
        /// Puts back the thread's previous account, on return and on unwinding alike.
        struct Restore(*const AtomicIsize);
        impl Drop for Restore {
            fn drop(&mut self) {
                CHARGED.with(|c| c.set(self.0));
            }
        }
        let _restore = Restore(CHARGED.with(|c| c.replace(&self.0.now)));
        f()
    }

    /// Bytes held now (negative when the work freed more than it allocated).
    pub fn held(&self) -> isize {
        self.0.now.load(Ordering::Relaxed)
    }

    /// Marks the work as being stopped: while it winds down, what it still holds of what it
    /// held then is taken as being freed (what it allocates afterwards is not), and it is no
    /// longer a candidate in [`Account::to_stop`]. When no other stopped account is still
    /// winding down, what each running account holds now is noted: from here on, until the
    /// stopped ones are closed, they may grow by [`GROWTH_WHILE_OTHERS_FREE`] in all into the
    /// room being freed (a second stop meanwhile gives them no more).
    pub fn stop(&self) {
        let open = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
        let winding_down = open.iter().any(|other| {
            !Arc::ptr_eq(other, &self.0) && other.at_stop.load(Ordering::Relaxed) != RUNNING
        });
        self.0.at_stop.store(self.held().max(0), Ordering::Relaxed);
        if !winding_down {
            for other in open.iter() {
                if other.at_stop.load(Ordering::Relaxed) == RUNNING {
                    let now = other.now.load(Ordering::Relaxed);
                    other.at_last_stop.store(now, Ordering::Relaxed);
                }
            }
        }
    }

    /// Whether this is the work to stop when the process holds `total` heap bytes against a
    /// limit of `limit`. Not when under the limit, nor when this account is stopped already.
    /// When the excess is no more than what the stopped accounts still hold of what they held
    /// when stopped (those bytes are on their way back: a stopped query frees its sort as it
    /// winds down, which in a debug build takes longer than one check), only a running account
    /// that grew by more than [`GROWTH_WHILE_OTHERS_FREE`] since the wind-down began is
    /// stopped.
    /// Beyond that excess, the one holding the most (ties go to every running account that
    /// has them).
    ///
    /// Without the allowance for the stopped ones, a small query running beside a runaway sort
    /// was stopped while the runaway's memory was still being freed (CI saw it). Without the
    /// bound on growth meanwhile, a second runaway filled the room the first was freeing, and
    /// the heap was over the limit by all of it (CI saw that too).
    pub fn to_stop(&self, total: usize, limit: usize) -> bool {
        if total <= limit || self.0.at_stop.load(Ordering::Relaxed) != RUNNING {
            return false;
        }
        let open = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
        let winding_down: usize = open
            .iter()
            .filter_map(|other| {
                let at_stop = other.at_stop.load(Ordering::Relaxed);
                (at_stop != RUNNING).then(|| other.now.load(Ordering::Relaxed).min(at_stop))
            })
            .map(|still| usize::try_from(still).unwrap_or(0))
            .sum();
        let mine = self.held();
        if total.saturating_sub(winding_down) <= limit {
            let grown = mine.saturating_sub(self.0.at_last_stop.load(Ordering::Relaxed));
            return grown > GROWTH_WHILE_OTHERS_FREE;
        }
        open.iter()
            .filter(|other| other.at_stop.load(Ordering::Relaxed) == RUNNING)
            .all(|other| other.now.load(Ordering::Relaxed) <= mine)
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        OPEN.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|other| !Arc::ptr_eq(other, &self.0));
    }
}

/// Gives the pages this thread's heap has freed back to the system now. mimalloc keeps
/// freed pages for reuse and returns them only as the thread allocates again, so a query
/// thread that built a large sort and then went idle would keep its resident memory: the
/// server calls this when it has stopped a query. Harmless (and useless) when mimalloc is
/// not the global allocator.
pub fn release_freed() {
    // SAFETY: `mi_collect` takes no pointers and may be called from any thread at any time.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// mimalloc's `mi_option_purge_delay`, 15 in its `mi_option_t` (v3, which libmimalloc-sys
/// builds by default, as v2; the Rust bindings do not name it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// From now on, the pages the allocator frees go back to the system at once, not after
/// mimalloc's purge delay (1 s in v3). With the delay, a stopped query's sort, freed, stayed
/// resident for up to a second while the other long query grew: the resident set stood up
/// to 1.3 GiB above the counted heap, and over `--max-memory` + 256 MiB in CI's flood
/// (scripts/abuse-serve.sh). The server calls this once its knowledge base is loaded (a load frees
/// and reuses much, and is quicker with the delay); a `MIMALLOC_PURGE_DELAY` set in the
/// environment is left as it is.
pub fn release_promptly() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: takes no pointers; the option is a word that mimalloc reads at each purge.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
}

#[cfg(test)]
mod tests {
    use super::{allocated, Account, Counting, GROWTH_WHILE_OTHERS_FREE, HEAP};
    use std::sync::atomic::Ordering;

    // The library's unit tests count their heap as the binary does, so that accounts see it.
    #[global_allocator]
    static COUNTED: Counting<std::alloc::System> = Counting(std::alloc::System);

    #[test]
    fn mimalloc_requests_count_as_their_size_class() {
        use super::SizeClasses;
        let class = <mimalloc::MiMalloc as SizeClasses>::set_aside;
        // the table of small classes gives what mimalloc gives for every size of a word
        // (the first size of each word fills its entry, the others read it)
        assert!((0..2).all(|_| (1..=4096).all(|n| class(n) == super::good_size(n))));
        assert!((1..=4096).all(|n| class(n) >= n));
        // a row of nine 16-byte terms and a byte more sits in a larger class: the bytes
        // counted follow it, so that the count follows the resident set
        assert!(class(9 * 16 + 1) > 9 * 16 + 1);
        assert_eq!(class(class(145)), class(145));
    }

    /// The stripes' sum, whether or not the count is enabled.
    fn stripes() -> isize {
        HEAP.iter().map(|s| s.0.load(Ordering::Relaxed)).sum()
    }

    #[test]
    fn the_account_holding_most_is_stopped_frees_count_back_and_charges_nest() {
        // Nothing is counted before enable, on any thread: the stripes stay at 0.
        let before = std::hint::black_box(vec![1u8; 1 << 20]);
        assert_eq!(allocated(), None, "not counting before enable");
        assert_eq!(stripes(), 0, "an allocation counted before enable");
        drop(before);
        assert_eq!(stripes(), 0, "a free counted before enable");
        COUNTED.enable();
        assert!(allocated().is_some());
        // The process's total is given to `to_stop` (so that the other tests' heap does not
        // matter): over the limit by a byte, or by more than a stopped account holds.
        const LIMIT: usize = 1 << 30;
        let over = |account: &Account| account.to_stop(LIMIT + 1, LIMIT);
        let small = Account::open();
        let large = Account::open();
        let kept_small = small.charge(|| vec![1u8; 1 << 10]);
        let kept_large = large.charge(|| vec![1u8; 8 << 20]);
        assert!(
            small.held() >= 1 << 10 && small.held() < 1 << 20,
            "{}",
            small.held()
        );
        assert!(large.held() >= 8 << 20, "{}", large.held());
        assert!(over(&large) && !over(&small));
        // under the limit nothing is stopped
        assert!(!large.to_stop(LIMIT, LIMIT));
        // freed under its account, the large one's bytes leave it: now the small one leads
        large.charge(|| drop(kept_large));
        assert!(large.held() < 1 << 20, "{}", large.held());
        assert!(over(&small));
        // a stopped account, still holding while it winds down, is no longer a candidate, and
        // what it holds is on its way back: an excess it covers stops no one else
        let stopping = Account::open();
        let kept_stopping = stopping.charge(|| vec![1u8; 8 << 20]);
        assert!(over(&stopping) && !over(&small));
        stopping.stop();
        assert!(!over(&stopping) && !over(&small));
        assert!(!small.to_stop(LIMIT + (8 << 20), LIMIT));
        // an excess beyond it does: the next largest running one is stopped
        assert!(small.to_stop(LIMIT + (9 << 20), LIMIT));
        assert!(!stopping.to_stop(LIMIT + (9 << 20), LIMIT));
        // what it allocates after it was stopped is not taken as being freed
        let after_stop = stopping.charge(|| vec![1u8; 8 << 20]);
        assert!(!small.to_stop(LIMIT + (8 << 20), LIMIT));
        assert!(small.to_stop(LIMIT + (9 << 20), LIMIT));
        // while it winds down, a running account may grow into the room it frees by
        // GROWTH_WHILE_OTHERS_FREE and no more: beyond, it is stopped though the excess is
        // covered (a second runaway filling the room the first frees)
        let growth = GROWTH_WHILE_OTHERS_FREE as usize;
        let half = small.charge(|| vec![1u8; growth / 2]);
        assert!(!small.to_stop(LIMIT + (8 << 20), LIMIT));
        let beyond = small.charge(|| vec![1u8; growth / 2 + (1 << 20)]);
        assert!(small.to_stop(LIMIT + (8 << 20), LIMIT));
        // a second stop while the first winds down gives it no more room
        let other = Account::open();
        other.stop();
        assert!(small.to_stop(LIMIT + (8 << 20), LIMIT));
        drop(other);
        small.charge(|| drop((half, beyond)));
        stopping.charge(|| drop(after_stop));
        stopping.charge(|| drop(kept_stopping));
        assert!(over(&small));
        drop(stopping);
        // outside any account nothing is charged, and a closed account no longer competes
        let outside = vec![1u8; 4 << 20];
        assert!(small.held() < 1 << 20);
        drop(small);
        assert!(over(&large));
        drop((kept_small, outside));

        // nested charges: the thread gets its previous account back, even after a panic
        // (the only test opening accounts, so that no other test's compete with these)
        let inner = Account::open();
        let _ = crate::store::guard::catch(|| large.charge(|| inner.charge(|| panic!("stopped"))));
        let before = large.held();
        let kept = large.charge(|| vec![1u8; 2 << 20]);
        assert!(large.held() - before >= 2 << 20);
        let outside = vec![1u8; 2 << 20];
        assert!(large.held() - before < 3 << 20);
        drop((kept, outside));
    }
}
