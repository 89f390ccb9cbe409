//! The bytes the process holds on its heap, counted by a wrapper around the global
//! allocator, so that `medrd serve` can cancel queries before they take the machine's memory
//! (`--max-memory`).
//!
//! Why a counting allocator and not the resident set size (`/proc/self/statm`): the count is
//! exact and current at every allocation, costs one relaxed atomic add per allocation and
//! free, and does not depend on when the allocator gives pages back to the system (mimalloc
//! keeps freed pages for a while, so RSS lags behind what the program really holds). The
//! count is 0 in a program that does not install [`Counting`] as its global allocator (the
//! `medrd` binary does; the library's users may not), and then no limit applies.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static COUNTING: AtomicBool = AtomicBool::new(false);

/// A global allocator that counts the bytes allocated through `A` and not yet freed.
pub struct Counting<A>(pub A);

// SAFETY: every call is forwarded to `A` with the same arguments; the wrapper only counts.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `layout` is the inner allocator's.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (so by `A`) with `layout`.
        unsafe { self.0.dealloc(ptr, layout) };
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by `A` with `layout`; the caller checks `new_size`.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            ALLOCATED.fetch_add(new_size, Ordering::Relaxed);
            ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

impl<A> Counting<A> {
    /// Marks the count as meaningful: call once at start, before the first use of
    /// [`allocated`] (a `const` global allocator cannot do it itself).
    pub fn enable(&self) {
        COUNTING.store(true, Ordering::Relaxed);
    }
}

/// Bytes allocated and not yet freed, or `None` when the global allocator is not
/// [`Counting`].
pub fn allocated() -> Option<usize> {
    COUNTING
        .load(Ordering::Relaxed)
        .then(|| ALLOCATED.load(Ordering::Relaxed))
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
