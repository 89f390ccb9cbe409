//! Entry point of the `medrd` binary: parse the command line, dispatch, map errors to exit
//! codes (0 ok, 1 check failures, 2 errors).

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

// mimalloc instead of the system allocator: the store's inserts and queries allocate many
// small terms, and glibc malloc/free took about a sixth of a large load's time. Counted, so
// that `serve --max-memory` can stop queries that would take the machine's memory.
#[global_allocator]
static GLOBAL: medrd_kg::store::memory::Counting<mimalloc::MiMalloc> =
    medrd_kg::store::memory::Counting(mimalloc::MiMalloc);

fn main() -> ExitCode {
    GLOBAL.enable();
    // No transparent huge pages for mimalloc's memory: each first touch of a 2 MiB page
    // zeroes all of it, and the load's short-lived buffers made that half of its CPU time
    // (`perf`: clear_page_erms; `medrd stats` 0.33 s of system time → 0.03 s).
    // SAFETY: sets one of mimalloc's options; callable at any time from any thread.
    unsafe { libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 0) };
    let cli = cli::Cli::parse();
    // On a thread whose stack holds the largest query medrd accepts (the main thread's is
    // whatever `ulimit -s` says): see medrd_kg::query::bounds.
    match medrd_kg::query::bounds::on_stack(|| commands::run(cli)) {
        Ok(code) => code,
        // A closed pipe (`medrd query … | head`) is the reader's choice, not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Messages quote names from input (file names, ZIP entries, cells): their control
            // characters are escaped so that none can drive the terminal.
            let message = format!("{e:#}");
            eprintln!("error: {}", medrd_kg::inputs::escape_message(&message));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let kind = |c: &(dyn std::error::Error + 'static)| {
        c.downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| c.downcast_ref::<medrd_kg::Error>()?.io_kind())
    };
    e.chain()
        .any(|c| kind(c) == Some(std::io::ErrorKind::BrokenPipe))
}
