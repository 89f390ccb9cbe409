//! A client that stops reading its answer is closed: the server's socket fails a write that
//! has made no progress for the connection's stall limit (`--header-timeout`, the same limit
//! a client has to send its request), so a reader that never reads cannot keep a connection,
//! and the answer it holds in memory, for ever.
//!
//! hyper's HTTP/1 connection has a timeout for reading a request head but none for writing
//! an answer; this wrapper around the socket gives it one. Only a write that cannot proceed
//! starts the clock, and any byte the peer takes stops it, so a slow but reading client
//! (a large export over a poor line) is never cut.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// A stream whose writes fail with [`io::ErrorKind::TimedOut`] after `limit` without
/// progress.
pub(crate) struct WriteStall<S> {
    inner: S,
    limit: Duration,
    /// Running while a write (or flush) waits for the peer; cleared by any progress.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> WriteStall<S> {
    pub(crate) fn new(inner: S, limit: Duration) -> Self {
        WriteStall {
            inner,
            limit,
            stalled: None,
        }
    }

    /// After the inner stream answered `poll`: progress clears the clock; waiting starts it
    /// (or looks at it), and an expired clock turns the wait into an error.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => {
                let limit = self.limit;
                let clock = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match clock.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "the client took no byte of the answer for {} s",
                            limit.as_secs_f64()
                        ),
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteStall<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteStall<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::WriteStall;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A peer that never reads: the write fails once the limit has passed without progress
    /// (the clock is tokio's paused test clock, so no test waits for real).
    #[tokio::test(start_paused = true)]
    async fn a_write_the_peer_never_takes_fails_at_the_limit() {
        let (ours, _peer) = tokio::io::duplex(1024);
        let mut s = WriteStall::new(ours, Duration::from_secs(10));
        let started = tokio::time::Instant::now();
        let e = s.write_all(&[b'x'; 4096]).await.unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(10));
    }

    /// A peer that reads slowly, a little every 6 s against a 10 s limit, gets everything.
    #[tokio::test(start_paused = true)]
    async fn a_slow_reader_is_never_cut() {
        let (ours, mut peer) = tokio::io::duplex(1024);
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            let mut buf = [0u8; 1024];
            loop {
                tokio::time::sleep(Duration::from_secs(6)).await;
                match peer.read(&mut buf).await.unwrap() {
                    0 => return got,
                    n => got.extend_from_slice(&buf[..n]),
                }
            }
        });
        let mut s = WriteStall::new(ours, Duration::from_secs(10));
        s.write_all(&[b'y'; 8192]).await.unwrap();
        s.shutdown().await.unwrap();
        drop(s);
        assert_eq!(reader.await.unwrap().len(), 8192);
    }
}
