//! No input may panic the program: a panic inside the SPARQL engine (an upstream bug, such
//! as an ORDER BY comparison that was not a total order) is caught where a query is evaluated
//! and becomes an ordinary error (exit 2 for a command, 500 for the server), with a plain
//! message and without the default hook's "thread … panicked at …" text on stderr.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Set while this thread runs code under [`catch`]: its panics are caught and reported
    /// as errors, so the panic hook keeps quiet about them.
    static CAUGHT: Cell<bool> = const { Cell::new(false) };
}

/// The engine panicked: the query was stopped.
#[derive(Debug)]
pub struct Panicked;

/// Runs `f`, turning a panic into [`Panicked`] (the panic message is not printed).
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Panicked> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CAUGHT.with(Cell::get) {
                default(info);
            }
        }));
    });
    let outer = CAUGHT.with(|c| c.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    CAUGHT.with(|c| c.set(outer));
    result.map_err(|_| Panicked)
}

/// The message of a caught engine panic, for people.
pub const PANICKED: &str = "the SPARQL engine failed on this query (an internal error of the \
     engine, not a mistake in the query) and it was stopped";

#[cfg(test)]
mod tests {
    use super::catch;

    #[test]
    fn a_panic_becomes_an_error_and_a_value_passes() {
        assert!(catch(|| -> u8 { panic!("an engine bug") }).is_err());
        assert_eq!(catch(|| 7).unwrap(), 7);
        // nested: the inner catch does not end the outer one's quiet hook
        assert!(catch(|| {
            assert!(catch(|| panic!("inner")).is_err());
            panic!("outer")
        })
        .is_err());
    }
}
