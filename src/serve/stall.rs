//! A client that stops reading its answer is closed: the server's socket fails a write that
//! has made no progress for the connection's stall limit (`--header-timeout`, the same limit
//! a client has to send its request), so a reader that never reads cannot keep a connection,
//! and the answer it holds in memory, for ever.
//!
//! hyper's HTTP/1 connection has a timeout for reading a request head but none for writing
//! an answer; this wrapper around the socket gives it one. Only a write that cannot proceed
//! starts the clock, and any byte the peer takes stops it, so a slow but reading client
//! (a large export over a poor line) is never cut. The socket becomes writable again only
//! once a third of its send buffer has drained, which for a slow reader and a send buffer
//! of megabytes can take longer than the limit: so while a write waits, the kernel's count of
//! bytes still unsent (`SIOCOUTQ`) is looked at eight times per limit, and each fall of it
//! is the peer reading. The connection fails a limit after the last fall seen (a look's
//! period late at most). One look at the end of the limit would not do: the bytes in flight
//! when the wait begins are acknowledged just after, so that look always saw a fall, and a
//! client that never read was closed only after twice the limit (CI saw it).

use std::future::Future;
use std::io;
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// A stream whose writes fail with [`io::ErrorKind::TimedOut`] after `limit` without
/// progress.
pub(crate) struct WriteStall<S> {
    inner: S,
    limit: Duration,
    /// While a write (or flush) waits for the peer: the next look at the kernel's count.
    clock: Option<Pin<Box<Sleep>>>,
    /// While a write waits: when the peer last took a byte as far as the looks saw (at first,
    /// when the wait began).
    since: Instant,
    /// The bytes the kernel held unsent at the last look, where it says.
    unsent_then: Option<usize>,
}

/// Looks at the kernel's count of unsent bytes this many times per limit.
const LOOKS_PER_LIMIT: u32 = 8;

/// How many bytes a stream's kernel socket holds that the peer has not yet acknowledged, where
/// the stream can say (a socket on Linux); `None` elsewhere.
pub(crate) trait Unsent {
    fn unsent(&self) -> Option<usize>;
}

impl Unsent for tokio::net::TcpStream {
    #[cfg(target_os = "linux")]
    fn unsent(&self) -> Option<usize> {
        let mut n: libc::c_int = 0;
        // SAFETY: TIOCOUTQ (SIOCOUTQ on a socket) writes one c_int through the pointer,
        // which points to `n`; the descriptor is this stream's, open while it lives.
        let done = unsafe { libc::ioctl(self.as_raw_fd(), libc::TIOCOUTQ, &mut n) };
        (done == 0).then(|| usize::try_from(n).ok()).flatten()
    }

    #[cfg(not(target_os = "linux"))]
    fn unsent(&self) -> Option<usize> {
        None
    }
}

impl<S: Unsent> WriteStall<S> {
    pub(crate) fn new(inner: S, limit: Duration) -> Self {
        WriteStall {
            inner,
            limit,
            clock: None,
            since: Instant::now(),
            unsent_then: None,
        }
    }

    /// When to look next, at `now`: at the limit's end, and before it every
    /// 1/[`LOOKS_PER_LIMIT`] of the limit where the kernel's count can be read.
    fn next_look(&self, now: Instant) -> Instant {
        let end = self.since + self.limit;
        match self.unsent_then {
            Some(_) => end.min(now + self.limit / LOOKS_PER_LIMIT),
            None => end,
        }
    }

    /// After the inner stream answered `poll`: progress clears the clock; waiting starts it
    /// (or looks at it), and a limit passed since the last byte the peer took (as far as the
    /// kernel says) turns the wait into an error.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        let Poll::Pending = poll else {
            self.clock = None;
            return poll;
        };
        if self.clock.is_none() {
            let now = Instant::now();
            self.since = now;
            self.unsent_then = self.inner.unsent();
            self.clock = Some(Box::pin(tokio::time::sleep_until(self.next_look(now))));
        }
        loop {
            let clock = self.clock.as_mut().expect("the clock was just set");
            if clock.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            // A look: has the peer taken bytes since the last one?
            let now = Instant::now();
            let unsent = self.inner.unsent();
            if let (Some(unsent), Some(then)) = (unsent, self.unsent_then) {
                if unsent < then {
                    self.since = now;
                }
            }
            self.unsent_then = unsent;
            if now >= self.since + self.limit {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "the client took no byte of the answer for {} s",
                        self.limit.as_secs_f64()
                    ),
                )));
            }
            // Polled again in the loop, so that the new deadline wakes this task.
            let next = self.next_look(now);
            let clock = self.clock.as_mut().expect("the clock was just set");
            clock.as_mut().reset(next);
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

impl<S: AsyncWrite + Unsent + Unpin> AsyncWrite for WriteStall<S> {
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
    use super::{Unsent, WriteStall};
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Poll};
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// An in-memory pipe cannot say what it holds: only its writability counts.
    impl Unsent for tokio::io::DuplexStream {
        fn unsent(&self) -> Option<usize> {
            None
        }
    }

    /// A real socket with a small send buffer, read 2 KiB every 100 ms: the socket is
    /// writable again only after a third of its buffer has drained, about a second at that
    /// pace, longer than the 500 ms limit; the kernel's count of unsent bytes shows the
    /// peer reading, so the answer goes through whole (on real time: about 3 s).
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_reader_slower_than_the_socket_wakes_is_not_cut() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let reader = tokio::spawn(async move {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.set_recv_buffer_size(4096).unwrap();
            let mut peer = socket.connect(addr).await.unwrap();
            let mut got = 0usize;
            let mut buf = [0u8; 2048];
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                match peer.read(&mut buf).await.unwrap() {
                    0 => return got,
                    n => got += n,
                }
            }
        });
        let (ours, _) = listener.accept().await.unwrap();
        let size: libc::c_int = 16 << 10;
        // SAFETY: SO_SNDBUF reads one c_int from the pointer, which points to `size`.
        let set = unsafe {
            libc::setsockopt(
                std::os::fd::AsRawFd::as_raw_fd(&ours),
                libc::SOL_SOCKET,
                libc::SO_SNDBUF,
                (&size as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        assert_eq!(set, 0);
        let mut s = WriteStall::new(ours, Duration::from_millis(500));
        s.write_all(&vec![b'z'; 96 << 10]).await.unwrap();
        s.shutdown().await.unwrap();
        drop(s);
        assert_eq!(reader.await.unwrap(), 96 << 10);
    }

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

    /// A pipe whose kernel count of unsent bytes the test sets.
    struct Counted {
        pipe: tokio::io::DuplexStream,
        unsent: Arc<AtomicUsize>,
    }

    impl Unsent for Counted {
        fn unsent(&self) -> Option<usize> {
            Some(self.unsent.load(Ordering::Relaxed))
        }
    }

    impl tokio::io::AsyncWrite for Counted {
        fn poll_write(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            Pin::new(&mut self.pipe).poll_write(cx, buf)
        }

        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.pipe).poll_flush(cx)
        }

        fn poll_shutdown(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.pipe).poll_shutdown(cx)
        }
    }

    /// A peer that never reads, on a socket whose bytes in flight when the wait began are
    /// acknowledged 100 ms later (the kernel's count falls once, as on loopback): the write
    /// fails a limit after that fall, give or take a look's period, not two limits after
    /// the wait began (CI saw that).
    #[tokio::test(start_paused = true)]
    async fn the_bytes_in_flight_when_the_wait_begins_do_not_double_the_limit() {
        let (pipe, _peer) = tokio::io::duplex(1024);
        let unsent = Arc::new(AtomicUsize::new(1024 + 4096));
        let ack = {
            let unsent = Arc::clone(&unsent);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                unsent.store(1024, Ordering::Relaxed);
            })
        };
        let limit = Duration::from_secs(8);
        let mut s = WriteStall::new(Counted { pipe, unsent }, limit);
        let started = tokio::time::Instant::now();
        let e = s.write_all(&[b'x'; 4096]).await.unwrap_err();
        ack.await.unwrap();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
        // the fall is seen at the first look (1 s), and the limit counts from there
        assert_eq!(started.elapsed(), Duration::from_secs(9));
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
