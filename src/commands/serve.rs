//! `medrd serve`: checks the flags, binds the socket, says where it listens (on stderr, so
//! scripts and tests can read the port) and serves until Ctrl-C or SIGTERM.

use anyhow::{bail, Context};
use medrd_kg::serve::{Config, Server};
use medrd_kg::Kb;
use oxigraph::model::NamedNode;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

pub fn run(
    kb: Kb,
    bind: SocketAddr,
    base: String,
    timeout: f64,
    max_results: usize,
    max_body: usize,
    max_memory_mib: usize,
) -> anyhow::Result<ExitCode> {
    NamedNode::new(&base).with_context(|| format!("--base {base:?} is not an absolute IRI"))?;
    if !base.ends_with('/') {
        bail!("--base {base:?} must end with '/' (the resources are named BASE/id/...)");
    }
    let timeout = Duration::try_from_secs_f64(timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .with_context(|| format!("--timeout {timeout} is not a positive number of seconds"))?;
    let max_memory = max_memory_mib
        .checked_mul(1 << 20)
        .filter(|m| *m > 0)
        .with_context(|| format!("--max-memory {max_memory_mib} is not a usable size in MiB"))?;
    if let Some(held) = medrd_kg::memory::allocated().filter(|held| *held >= max_memory) {
        bail!(
            "--max-memory {max_memory_mib} MiB is less than the {} MiB the loaded knowledge base already holds",
            held >> 20
        );
    }
    let config = Config {
        bind,
        base,
        timeout,
        max_results,
        max_body,
        max_memory,
        ..Config::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
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
