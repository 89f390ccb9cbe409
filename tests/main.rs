//! The integration test binary: every suite in `suite/` runs against the real `medrd`
//! binary and the real project files, with answers taken from the source document.

mod suite;
mod util;
