//! `medrd serve`: checks the flags, binds the socket, says where it listens (on stderr, so
//! scripts and tests can read the port) and serves until Ctrl-C or SIGTERM.

use crate::cli::ServeArgs;
use anyhow::{bail, Context};
use medrd_kg::serve::{Config, Server};
use medrd_kg::Kb;
use oxigraph::model::NamedNode;
use std::process::ExitCode;
use std::time::Duration;

/// File descriptors kept for everything but client connections (the store, `dot`, stdio).
const RESERVED_FDS: u64 = 64;

pub fn run(kb: Kb, args: ServeArgs, allow_service: bool) -> anyhow::Result<ExitCode> {
    let ServeArgs {
        bind,
        base,
        timeout,
        max_results,
        max_body,
        header_timeout,
        max_connections,
        max_memory,
    } = args;
    NamedNode::new(&base).with_context(|| format!("--base {base:?} is not an absolute IRI"))?;
    if !base.ends_with('/') {
        bail!("--base {base:?} must end with '/' (the resources are named BASE/id/...)");
    }
    let seconds = |flag: &str, value: f64| {
        Duration::try_from_secs_f64(value)
            .ok()
            .filter(|t| !t.is_zero())
            .with_context(|| format!("{flag} {value} is not a positive number of seconds"))
    };
    let timeout = seconds("--timeout", timeout)?;
    let header_timeout = seconds("--header-timeout", header_timeout)?;
    if max_connections == 0 {
        bail!("--max-connections must be at least 1");
    }
    let max_connections = fit_to_open_files(max_connections);
    let max_memory_mib = max_memory;
    let max_memory = max_memory_mib
        .checked_mul(1 << 20)
        .filter(|m| *m > 0)
        .with_context(|| format!("--max-memory {max_memory_mib} is not a usable size in MiB"))?;
    if let Some(held) = medrd_kg::store::memory::allocated().filter(|held| *held >= max_memory) {
        bail!(
            "--max-memory {max_memory_mib} MiB is less than the {} MiB the loaded knowledge base already holds",
            held >> 20
        );
    }
    medrd_kg::store::memory::release_promptly();
    let config = Config {
        bind,
        base,
        timeout,
        max_results,
        max_body,
        header_timeout,
        max_connections,
        allow_service,
        max_memory,
        ..Config::default()
    };
    let runtime = medrd_kg::serve::runtime()
        .build()
        .context("starting the async runtime")?;
    let served = runtime.block_on(async {
        let server = Server::bind(kb, config).await?;
        let addr = server.local_addr();
        if !addr.ip().is_loopback() {
            eprintln!("medrd serve: warning: listening on {addr}, which is reachable from other machines");
        }
        eprintln!("medrd serve: listening on http://{addr}/ (SPARQL endpoint http://{addr}/sparql; Ctrl-C to stop)");
        server.run(shutdown()).await?;
        anyhow::Ok(())
    });
    // A query cancelled at its time limit may still be winding down on the blocking pool:
    // do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(500));
    served?;
    eprintln!("medrd serve: stopped");
    Ok(ExitCode::SUCCESS)
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn shutdown() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Raises the soft open-files limit to the hard one (each connection holds a descriptor) and
/// lowers `max_connections` to what the limit leaves, saying so.
#[cfg(unix)]
fn fit_to_open_files(max_connections: usize) -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return max_connections;
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: as above.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = limit.rlim_max;
        }
    }
    let room = usize::try_from(limit.rlim_cur.saturating_sub(RESERVED_FDS)).unwrap_or(usize::MAX);
    if room < max_connections {
        let fitted = room.max(1);
        eprintln!(
            "medrd serve: --max-connections lowered from {max_connections} to {fitted}: the open-files limit is {} (ulimit -n)",
            limit.rlim_cur
        );
        return fitted;
    }
    max_connections
}

#[cfg(not(unix))]
fn fit_to_open_files(max_connections: usize) -> usize {
    max_connections
}
