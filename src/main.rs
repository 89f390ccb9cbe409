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

/// No transparent huge pages for this process. mimalloc reserves its first GiB with
/// `MADV_HUGEPAGE` (before `main`, at the first allocation), and each first touch of a 2 MiB
/// page then zeroes all of it: for short-lived buffers that was up to half of a command's CPU
/// (`perf`: clear_page_erms under do_huge_pmd_anonymous_page). The kernel checks this flag at
/// each page fault, so it applies to the memory reserved before it too.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and changes no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    no_huge_pages();
    let cli = cli::Cli::parse();
    // The heap is counted for `serve` alone, whose --max-memory reads the count; the other
    // commands spare every allocation the count's cost.
    if matches!(cli.command, cli::Command::Serve(_)) {
        GLOBAL.enable();
    }
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
