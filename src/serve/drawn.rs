//! The diagrams `/diagram/…` has drawn, kept for the life of the server: the store does not
//! change while it serves, so a diagram is drawn once per data load, not per request
//! (issue 19, item 6: Graphviz drew `/diagram/overview` on every request, 0.56 s each, and
//! `wrk -c64` on it held every query slot).
//!
//! One draw per diagram at a time: the requests for a diagram being drawn wait for that
//! draw (within their time limit) instead of drawing it again. A draw that fails is not
//! kept (the next request draws again). Bounded: at most [`MAX_BYTES`] of drawings and
//! [`MAX_ENTRIES`] diagrams are kept (every built-in diagram in both languages and every
//! document's year is about 10 MB); beyond, a diagram is drawn for its request only.

use axum::body::Bytes;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::OnceCell;

/// Most bytes of drawings kept.
pub(crate) const MAX_BYTES: usize = 64 << 20;
/// Most diagrams kept (or being drawn).
pub(crate) const MAX_ENTRIES: usize = 8192;

/// A drawing, or the draw under way that every request for it waits for.
type Cell = Arc<OnceCell<Bytes>>;

#[derive(Default)]
pub(crate) struct Drawn {
    /// By key (what [`super::diagram`] draws: kind and argument, language, format, year),
    /// and the bytes drawn.
    kept: Mutex<(HashMap<String, Cell>, usize)>,
}

impl Drawn {
    /// The drawing of `key`: kept, or drawn by `draw` (once, however many ask at the same
    /// time) and kept when there is room.
    pub async fn get<E>(
        &self,
        key: String,
        draw: impl Future<Output = Result<Bytes, E>>,
    ) -> Result<Bytes, E> {
        let cell = {
            let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
            match kept.0.get(&key) {
                Some(cell) => Some(Arc::clone(cell)),
                None if kept.0.len() < MAX_ENTRIES && kept.1 < MAX_BYTES => {
                    let cell = Arc::new(OnceCell::new());
                    kept.0.insert(key.clone(), Arc::clone(&cell));
                    Some(cell)
                }
                None => None,
            }
        };
        let Some(cell) = cell else {
            return draw.await;
        };
        let mut drew = false;
        let got = cell
            .get_or_try_init(|| {
                drew = true;
                draw
            })
            .await
            .cloned();
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        match &got {
            Ok(bytes) if drew => kept.1 += bytes.len(),
            Ok(_) => {}
            // Not kept: the next request draws it again (and an unknown diagram asked for
            // again and again takes no room).
            Err(_) => {
                if kept.0.get(&key).is_some_and(|c| c.get().is_none()) {
                    kept.0.remove(&key);
                }
            }
        }
        got
    }
}

#[cfg(test)]
mod tests {
    use super::Drawn;
    use axum::body::Bytes;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    /// Issue 19, item 6: many requests for one diagram draw it once, later ones are served
    /// what was drawn; a failed draw is not kept.
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
                            Err("no")
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
        assert!(ask("missing", true).await.unwrap().is_err());
        assert!(ask("missing", true).await.unwrap().is_err());
        assert_eq!(draws.load(Ordering::SeqCst), 3);
        assert_eq!(drawn.kept.lock().unwrap().0.len(), 1);
    }
}
