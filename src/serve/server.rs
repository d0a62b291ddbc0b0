//! The dev server's HTTP side, on axum: files from the in-memory site, the
//! site's own 404 page, and a server-sent-events channel that tells open
//! pages to reload. Only GET and HEAD; only the Host names of this machine
//! (against DNS rebinding); no path is ever looked up on disk, only in the
//! site's list of files.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast;

use super::live;
use super::session::Output;

/// Longest request path accepted, in bytes.
const MAX_PATH: usize = 2048;

/// What the server shows: the last good site, and the errors of the last
/// rebuild if it failed.
#[derive(Debug, Default)]
pub struct Served {
    /// The last good site.
    pub output: Output,
    /// The diagnostics of a failed rebuild, as text.
    pub errors: Option<String>,
    /// The search index, made apart from the site (see `search::Indexer`).
    pub search: crate::render::memo::FastMap<String, Arc<[u8]>>,
}

/// A message to open pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Live {
    /// The site changed: reload.
    Reload,
    /// Only stylesheets changed: swap them.
    Css,
    /// The rebuild failed: show these errors.
    Errors(String),
    /// The site is fine and unchanged: drop any error overlay.
    Ok,
}

/// Shared with every request.
#[derive(Clone)]
pub struct AppState {
    /// The site being served.
    pub served: Arc<RwLock<Served>>,
    /// Live-reload messages.
    pub live: broadcast::Sender<Live>,
    /// Host names requests may use.
    pub hosts: Arc<Vec<String>>,
}

/// The router: the event channel, everything else from the site.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route(live::EVENTS_PATH, get(events))
        .fallback(file)
        .with_state(state)
}

fn host_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    state.hosts.iter().any(|h| h.eq_ignore_ascii_case(name))
}

fn plain(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.to_string(),
    )
        .into_response()
}

/// The site-relative file a request path names, or None if it is not a
/// path this server will look up (`..`, backslashes, NUL, bad encoding).
pub fn site_path(raw: &str) -> Option<String> {
    if raw.len() > MAX_PATH {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    // A path that decodes to something else again was encoded twice
    // (`%252e`): refused, never decoded a second time.
    let twice = percent_encoding::percent_decode_str(&decoded)
        .decode_utf8()
        .ok()?;
    if twice != decoded || decoded.contains(['\\', '\0']) {
        return None;
    }
    let trimmed = decoded.trim_start_matches('/');
    if trimmed.split('/').any(|s| s == ".." || s == ".") {
        return None;
    }
    if trimmed.is_empty() || trimmed.ends_with('/') {
        Some(format!("{trimmed}index.html"))
    } else {
        Some(trimmed.to_string())
    }
}

async fn file(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if !host_allowed(&state, &headers) {
        return plain(
            StatusCode::FORBIDDEN,
            "this server answers only to this machine's host names",
        );
    }
    let Some(path) = site_path(uri.path()) else {
        return plain(StatusCode::BAD_REQUEST, "bad path");
    };
    let (status, path, bytes) = {
        let Ok(served) = state.served.read() else {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server state unavailable",
            );
        };
        let output = &served.output;
        let file = output.files.get(&path).or_else(|| served.search.get(&path));
        if let Some(bytes) = file {
            (StatusCode::OK, path, Some(bytes.to_vec()))
        } else if let Some(source) = output.assets.get(&path) {
            (StatusCode::OK, path.clone(), std::fs::read(source).ok())
        } else if output.files.contains_key(&format!("{path}/index.html")) {
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            let to = format!("{}/{query}", uri.path());
            let mut r = plain(StatusCode::PERMANENT_REDIRECT, "moved");
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            return r;
        } else {
            let page = output.files.get("404.html").map(|b| b.to_vec());
            (StatusCode::NOT_FOUND, "404.html".to_string(), page)
        }
    };
    let Some(mut bytes) = bytes else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let is_html = mime.essence_str() == "text/html";
    if is_html {
        bytes = live::inject(&bytes);
    }
    let content_type = if is_html || mime.type_() == "text" {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    };
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn events(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !host_allowed(&state, &headers) {
        return plain(
            StatusCode::FORBIDDEN,
            "this server answers only to this machine's host names",
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let same = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|o| o.eq_ignore_ascii_case(host));
        if !same {
            return plain(StatusCode::FORBIDDEN, "foreign origin");
        }
    }
    let first = match state.served.read() {
        Ok(s) => s.errors.clone().map_or(Live::Reload, Live::Errors),
        Err(_) => Live::Reload,
    };
    let receiver = state.live.subscribe();
    Sse::new(event_stream(first, receiver))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The current state first (errors, or "ok"), then every message.
fn event_stream(
    first: Live,
    receiver: broadcast::Receiver<Live>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let first = match first {
        Live::Errors(text) => Event::default().event("errors").data(text),
        _ => Event::default().event("ok").data(""),
    };
    let rest = stream::unfold(receiver, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(message) => return Some((Ok(to_event(message)), rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    futures_util::StreamExt::chain(stream::once(async move { Ok(first) }), rest)
}

fn to_event(message: Live) -> Event {
    match message {
        Live::Reload => Event::default().event("reload").data(""),
        Live::Css => Event::default().event("css").data(""),
        Live::Errors(text) => Event::default().event("errors").data(text),
        Live::Ok => Event::default().event("ok").data(""),
    }
}

#[cfg(test)]
mod tests {
    use super::site_path;

    #[test]
    fn request_paths_table() {
        let cases = [
            ("/", Some("index.html")),
            ("/reports/x/", Some("reports/x/index.html")),
            ("/style.css", Some("style.css")),
            (
                "/tags/%D1%83%D0%BA%D1%80%D0%B0%D1%97%D0%BD%D0%B0/",
                Some("tags/україна/index.html"),
            ),
            ("/../etc/passwd", None),
            ("/%2e%2e/etc/passwd", None),
            ("/%252e%252e/etc/passwd", None),
            ("/reports/..%2f..%2fetc", None),
            ("/a%5c..%5cb", None),
            ("/a\\b", None),
            ("/a%00b", None),
            ("/./x", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(site_path(raw).as_deref(), expected, "{raw}");
        }
        assert_eq!(site_path(&format!("/{}", "a".repeat(3000))), None);
    }
}
