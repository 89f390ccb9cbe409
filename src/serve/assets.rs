//! The pages' scripts and styles as files of their own (`/assets/…`), and the headers every
//! answer carries so that a browser runs no script but those files (issue 19, item 5).
//!
//! Why files and not inline code with hashes: a Content-Security-Policy without
//! `'unsafe-inline'` is what makes an injected `<script>`, an `onclick=` or a `javascript:`
//! link inert in the first place, and files need no hash to keep in step with the code.
//! The one policy is sent on every answer — HTML pages, SVG diagrams (an SVG opened by
//! itself is a document that could run script), results and errors alike — with
//! `X-Content-Type-Options: nosniff` (a CSV or a JSON answer is never read as a page) and
//! `X-Frame-Options: DENY` beside `frame-ancestors 'none'` (no page is framed, for older
//! browsers too), and `Referrer-Policy: same-origin` (a link out of a page does not tell
//! the other site the query in its URL). Links from data are checked apart from this
//! ([`crate::markup::link_target`]): the policy is the second fence, not the first.

use super::App;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// Script, style, images and requests from this server only; no plugin, frame, base or
/// form target elsewhere. `img-src` has `data:` for nothing: none of ours needs it.
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
    frame-ancestors 'none'";

/// Adds the security headers to every answer (see the module docs).
pub(crate) async fn secure(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// The files, built into the binary (no CDN).
const FILES: &[(&str, &str, &str)] = &[
    (
        "/assets/console.js",
        "text/javascript; charset=utf-8",
        include_str!("console.js"),
    ),
    (
        "/assets/console.css",
        "text/css; charset=utf-8",
        include_str!("console.css"),
    ),
    (
        "/assets/explorer.js",
        "text/javascript; charset=utf-8",
        include_str!("explorer/explorer.js"),
    ),
    (
        "/assets/explorer.css",
        "text/css; charset=utf-8",
        include_str!("explorer/explorer.css"),
    ),
    (
        "/assets/resource.css",
        "text/css; charset=utf-8",
        include_str!("resource.css"),
    ),
];

/// The routes of [`FILES`].
pub(crate) fn router() -> Router<Arc<App>> {
    FILES
        .iter()
        .fold(Router::new(), |router, &(path, media_type, body)| {
            router.route(
                path,
                get(move || async move {
                    (
                        [
                            (header::CONTENT_TYPE, media_type),
                            // The same for the life of the binary; a new binary may change them.
                            (header::CACHE_CONTROL, "max-age=300"),
                        ],
                        body,
                    )
                        .into_response()
                }),
            )
        })
}
