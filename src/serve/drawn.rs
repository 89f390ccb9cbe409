//! The diagrams `/diagram/…` has drawn, kept for the life of the server: the store does not
//! change while it serves, so a diagram is drawn once per data load, not per request
//! (issue 19, item 6: Graphviz drew `/diagram/overview` on every request, 0.56 s each, and
//! `wrk -c64` on it held every query slot).
//!
//! One draw per diagram at a time, and it is the server's, not a request's: it runs as a
//! task of its own (within the limits of [`super::blocking`]), so that a requester giving up
//! does not throw the drawing away; the requests for a diagram being drawn wait for it
//! (each within its own time limit). A draw that fails is not kept, and every request that
//! waited for it gets its answer (404 for a diagram the store has not). Bounded: at most
//! [`MAX_BYTES`] of drawings and [`MAX_ENTRIES`] diagrams are kept (every built-in diagram
//! in both languages and every document's year is about 10 MB); beyond, a diagram is drawn
//! for its request only.

use super::HttpError;
use axum::body::Bytes;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::watch;

/// Most bytes of drawings kept.
pub(crate) const MAX_BYTES: usize = 64 << 20;
/// Most diagrams kept (or being drawn).
pub(crate) const MAX_ENTRIES: usize = 8192;

/// What a draw gave: the drawing, or the answer to send instead.
type Drawing = Result<Bytes, (axum::http::StatusCode, String)>;

/// What a request for a drawing does.
enum Plan {
    Wait(watch::Receiver<Option<Drawing>>),
    Draw(
        watch::Sender<Option<Drawing>>,
        watch::Receiver<Option<Drawing>>,
    ),
    Alone,
}

enum Entry {
    Drawn(Bytes),
    /// Being drawn: told the outcome when it is known.
    Drawing(watch::Receiver<Option<Drawing>>),
}

/// The drawings by key (what [`super::diagram`] draws: kind and argument, language,
/// format, year), and the bytes drawn.
type Kept = Arc<Mutex<(HashMap<String, Entry>, usize)>>;

#[derive(Default)]
pub(crate) struct Drawn {
    kept: Kept,
}

impl Drawn {
    /// The drawing of `key`: kept, or being drawn, or drawn now by `draw` (once, however
    /// many ask at the same time) and kept when there is room.
    pub async fn get(
        &self,
        key: String,
        draw: impl Future<Output = Result<Bytes, HttpError>> + Send + 'static,
    ) -> Result<Bytes, HttpError> {
        let plan = {
            let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
            // A draw whose task ended without a word (it panicked) is drawn again.
            let stale =
                matches!(kept.0.get(&key), Some(Entry::Drawing(rx)) if rx.has_changed().is_err());
            if stale {
                kept.0.remove(&key);
            }
            match kept.0.get(&key) {
                Some(Entry::Drawn(bytes)) => return Ok(bytes.clone()),
                Some(Entry::Drawing(rx)) => Plan::Wait(rx.clone()),
                None if kept.0.len() < MAX_ENTRIES && kept.1 < MAX_BYTES => {
                    let (tx, rx) = watch::channel(None);
                    kept.0.insert(key.clone(), Entry::Drawing(rx.clone()));
                    Plan::Draw(tx, rx)
                }
                None => Plan::Alone,
            }
        };
        let mut outcome = match plan {
            Plan::Wait(rx) => rx,
            Plan::Draw(tx, rx) => {
                tokio::spawn(Self::draw(Arc::clone(&self.kept), key, draw, tx));
                rx
            }
            // No room to keep it: drawn for this request only.
            Plan::Alone => return draw.await,
        };
        let told = outcome
            .wait_for(Option::is_some)
            .await
            .map(|told| told.clone())
            .ok()
            .flatten();
        match told {
            Some(Ok(bytes)) => Ok(bytes),
            Some(Err((status, message))) => Err(HttpError::new(status, message)),
            // The drawing task ended without a word (it panicked).
            None => Err(HttpError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "drawing failed",
            )),
        }
    }

    /// Draws, keeps what was drawn (or forgets the key when the draw failed), and tells
    /// those waiting.
    async fn draw(
        kept: Kept,
        key: String,
        draw: impl Future<Output = Result<Bytes, HttpError>>,
        tx: watch::Sender<Option<Drawing>>,
    ) {
        let drawing = draw.await.map_err(|e| (e.status, e.message));
        {
            let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
            match &drawing {
                Ok(bytes) => {
                    kept.1 += bytes.len();
                    kept.0.insert(key, Entry::Drawn(bytes.clone()));
                }
                Err(_) => {
                    kept.0.remove(&key);
                }
            }
        }
        let _ = tx.send(Some(drawing));
    }
}

#[cfg(test)]
mod tests {
    use super::{Drawn, Entry};
    use crate::serve::HttpError;
    use axum::body::Bytes;
    use axum::http::StatusCode;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    /// Issue 19, item 6: many requests for one diagram draw it once, later ones are served
    /// what was drawn; a draw finishes and is kept when its requester gives up; a failed
    /// draw is not kept, and those waiting for it get its answer.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_diagram_is_drawn_once_however_many_ask_and_failures_are_not_kept() {
        let drawn = Arc::new(Drawn::default());
        let draws = Arc::new(AtomicUsize::new(0));
        let ask = |key: &str, fail: bool| {
            let (drawn, draws, key) = (Arc::clone(&drawn), Arc::clone(&draws), key.to_owned());
            tokio::spawn(async move {
                drawn
                    .get(key, async move {
                        draws.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        if fail {
                            Err(HttpError::new(StatusCode::NOT_FOUND, "no such diagram"))
                        } else {
                            Ok(Bytes::from_static(b"<svg/>"))
                        }
                    })
                    .await
            })
        };
        let asked: Vec<_> = (0..16).map(|_| ask("overview", false)).collect();
        for a in asked {
            assert_eq!(a.await.unwrap().unwrap(), Bytes::from_static(b"<svg/>"));
        }
        assert_eq!(ask("overview", false).await.unwrap().unwrap().len(), 6);
        assert_eq!(draws.load(Ordering::SeqCst), 1);
        let asked: Vec<_> = (0..4).map(|_| ask("missing", true)).collect();
        for a in asked {
            assert_eq!(a.await.unwrap().unwrap_err().status, StatusCode::NOT_FOUND);
        }
        assert!(ask("missing", true).await.unwrap().is_err());
        assert_eq!(draws.load(Ordering::SeqCst), 3);
        // The requester gives up at once; the drawing is finished and kept all the same.
        let gone = ask("budget", false);
        while !drawn.kept.lock().unwrap().0.contains_key("budget") {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        gone.abort();
        while !matches!(
            drawn.kept.lock().unwrap().0.get("budget"),
            Some(Entry::Drawn(_))
        ) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(draws.load(Ordering::SeqCst), 4);
        let kept = drawn.kept.lock().unwrap();
        assert!(matches!(kept.0.get("budget"), Some(Entry::Drawn(_))));
        assert_eq!(kept.0.len(), 2);
    }
}
