//! `annalist serve` over real HTTP: each test starts the binary on a small
//! site in a temporary folder and a free port, talks to it with the plain
//! HTTP/1.1 client below (a `TcpStream`, no client library), and checks
//! what is served: pages with the live-reload script, redirects, content
//! types, the site's 404 page, refused methods, paths, hosts and origins,
//! and, after every kind of edit, the new site and the live-reload events.
//!
//! Every wait is a poll against a generous deadline (the tests must pass
//! on a loaded 2-core machine), and every server is killed by `Drop`, also
//! when a test fails. The session's incremental output itself is checked
//! against clean builds in `serve_incremental.rs`; here it is the process
//! that is under test: its watcher, its HTTP side and its event channel.

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, Site};

/// How long anything may take before a test gives up (a loaded machine
/// can be slow; a passing test never waits this long).
const PATIENCE: Duration = Duration::from_secs(20);

/// How often a poll looks again.
const POLL: Duration = Duration::from_millis(40);

/// The path of the live-reload event channel.
const EVENTS: &str = "/__annalist/events";

// ---------------------------------------------------------------------
// The site

fn report(title: &str, body: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\ndate: 2024-01-02\nsummary: \"About {title}\"\n---\n\n{body}\n"
    )
}

/// Two reports, an intro, a site title and one static stylesheet; no
/// templates/ folder (a test creates it while the server runs).
fn site() -> Site {
    Site::new(&[
        ("site.yaml", "title: \"Serve test site\"\n"),
        ("content/_index.md", "Intro of the serve test site.\n"),
        (
            "content/reports/alpha.md",
            &report("Alpha title", "Alpha body."),
        ),
        (
            "content/reports/beta.md",
            &report("Beta title", "Beta body."),
        ),
        ("static/extra.css", "body { color: #111; } /* extra v1 */\n"),
    ])
}

/// A report template that shows `marker` on every report page.
fn report_template(marker: &str) -> String {
    format!(
        "{{% extends \"base.html\" %}}\n{{% block main %}}<article><h1>{{{{ report.title }}}}</h1><p class=\"marker\">{marker}</p>{{{{ report.content | safe }}}}</article>{{% endblock main %}}\n"
    )
}

// ---------------------------------------------------------------------
// The server process

/// A running `annalist serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
    site: Site,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now (the server moves on to the next
/// free one if it is taken meanwhile; its stderr says which).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// The port in a `serving http://127.0.0.1:PORT/` line.
fn served_port(line: &str) -> Option<u16> {
    let rest = line.split("serving http://127.0.0.1:").nth(1)?;
    rest.split('/').next()?.parse().ok()
}

impl Server {
    /// Starts `annalist serve` on `site`, waits until it answers and its
    /// watcher sees edits.
    fn start(site: Site) -> Server {
        let child = Command::new(BIN)
            .args(["serve", "--root"])
            .arg(site.path())
            .args(["--port", &free_port().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start annalist serve");
        let mut server = Server {
            child,
            port: 0,
            log: Arc::new(Mutex::new(String::new())),
            site,
        };
        let stderr = server.child.stderr.take().expect("piped stderr");
        let (port_tx, port_rx) = mpsc::channel();
        let log = server.log.clone();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(port) = served_port(&line) {
                    let _ = port_tx.send(port);
                }
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        server.port = port_rx
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("no `serving` line; stderr:\n{}", server.log()));
        server.await_page("/", 200, |_| true);
        server.wait_for_watcher();
        server
    }

    /// Starts a server on the standard test site.
    fn on_test_site() -> Server {
        Server::start(site())
    }

    /// Everything the server wrote on stderr so far.
    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// How many rebuilds (good or failed) the server has reported.
    fn rebuilds(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| {
                !l.starts_with("initial build")
                    && (l.contains(" rendered in ") || l.contains("still serving the last good"))
            })
            .count()
    }

    /// The watcher starts after the `serving` line: saves a file that is
    /// not a page until a rebuild shows the watcher running, then waits
    /// for the rebuilds to settle so that no late one reaches a test.
    fn wait_for_watcher(&self) {
        let deadline = Instant::now() + PATIENCE;
        let mut n = 0;
        while self.rebuilds() == 0 {
            assert!(
                Instant::now() < deadline,
                "the watcher never noticed an edit; stderr:\n{}",
                self.log()
            );
            n += 1;
            self.write("content/_warmup.md", &format!("warm-up {n}\n"));
            let next = Instant::now() + Duration::from_secs(2);
            while self.rebuilds() == 0 && Instant::now() < next {
                thread::sleep(POLL);
            }
        }
        let mut seen = self.rebuilds();
        let mut quiet_since = Instant::now();
        while quiet_since.elapsed() < Duration::from_millis(400) {
            thread::sleep(POLL);
            let now = self.rebuilds();
            if now != seen {
                seen = now;
                quiet_since = Instant::now();
            }
        }
    }

    /// Polls GET `path` until its status is `status` and its body passes
    /// `check`; returns that response, or panics after `PATIENCE` with the
    /// last answer and the server's stderr.
    fn await_page(&self, path: &str, status: u16, check: impl Fn(&str) -> bool) -> Response {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let r = self.get(path);
            if r.status == status && check(&r.body) {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for GET {path} to answer {status} with the expected body; \
                 last answer {}:\n{}\n--- server stderr\n{}",
                r.status,
                r.body,
                self.log()
            );
            thread::sleep(POLL);
        }
    }

    /// A file of the site, written in one go (open, truncate, write).
    fn write(&self, rel: &str, text: &str) {
        self.site.write(rel, text);
    }

    fn path(&self, rel: &str) -> std::path::PathBuf {
        self.site.path().join(rel)
    }

    fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[])
    }

    /// One request on a fresh connection, with this server's Host unless
    /// `headers` name another.
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
        let host = format!("127.0.0.1:{}", self.port);
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {host}\r\n"));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("Connection: close\r\n\r\n");
        let mut stream = self.connect();
        stream.write_all(head.as_bytes()).expect("send the request");
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .unwrap_or_else(|e| panic!("read the answer to {method} {path}: {e}"));
        Response::parse(&raw, method == "HEAD")
            .unwrap_or_else(|| panic!("malformed answer to {method} {path}: {raw:?}"))
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to the server");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream.set_write_timeout(Some(PATIENCE)).unwrap();
        stream
    }

    /// Opens the event channel, with `Origin: origin` if given.
    fn events(&self, origin: Option<&str>) -> Result<Events, Response> {
        let origin = origin
            .map(|o| format!("Origin: {o}\r\n"))
            .unwrap_or_default();
        let head = format!(
            "GET {EVENTS} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n{origin}\r\n",
            self.port
        );
        let mut stream = self.connect();
        stream.set_read_timeout(Some(POLL)).unwrap();
        stream.write_all(head.as_bytes()).expect("send the request");
        let mut events = Events {
            stream,
            raw: Vec::new(),
            text: Vec::new(),
            chunked: false,
            seen: Vec::new(),
        };
        let deadline = Instant::now() + PATIENCE;
        let end = loop {
            if let Some(end) = find(&events.raw, b"\r\n\r\n") {
                break end;
            }
            assert!(
                events.fill() && Instant::now() < deadline,
                "no answer from {EVENTS}"
            );
        };
        let head = Response::parse(&events.raw[..end + 4], true).expect("a response head");
        if head.status != 200 {
            // A refusal: its whole body, by its length (the connection
            // stays open).
            let len: usize = head
                .header("content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            while events.raw.len() < end + 4 + len && Instant::now() < deadline {
                if !events.fill() {
                    break;
                }
            }
            return Err(Response::parse(&events.raw, false).unwrap_or(head));
        }
        assert_eq!(head.header("content-type"), Some("text/event-stream"));
        events.chunked = head
            .header("transfer-encoding")
            .is_some_and(|t| t.eq_ignore_ascii_case("chunked"));
        events.raw.drain(..end + 4);
        Ok(events)
    }

    /// The event channel, once it has sent its first event (so that it is
    /// subscribed to every later one); returns that event too.
    fn subscribe(&self) -> (Events, Event) {
        let mut events = self
            .events(None)
            .unwrap_or_else(|r| panic!("{EVENTS} answered {}: {}", r.status, r.body));
        let first = events
            .next(Instant::now() + PATIENCE)
            .unwrap_or_else(|| panic!("no first event; stderr:\n{}", self.log()));
        (events, first)
    }
}

// ---------------------------------------------------------------------
// A small HTTP/1.1 client

/// An answer: status, headers (names lowercased) and body as text.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    /// Parses a whole answer read until the server closed the connection.
    fn parse(raw: &[u8], head_only: bool) -> Option<Response> {
        let end = find(raw, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&raw[..end]).ok()?;
        let mut lines = head.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut response = Response {
            status,
            headers,
            body: String::new(),
        };
        let rest = &raw[end + 4..];
        if head_only {
            return Some(response);
        }
        let body = if response
            .header("transfer-encoding")
            .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
        {
            let mut body = Vec::new();
            let mut rest = rest.to_vec();
            dechunk(&mut rest, &mut body);
            body
        } else if let Some(len) = response.header("content-length") {
            let len: usize = len.parse().ok()?;
            rest.get(..len)?.to_vec()
        } else {
            rest.to_vec()
        };
        response.body = String::from_utf8_lossy(&body).into_owned();
        Some(response)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Moves the complete chunks at the start of `raw` into `out`.
fn dechunk(raw: &mut Vec<u8>, out: &mut Vec<u8>) {
    loop {
        let Some(line_end) = find(raw, b"\r\n") else {
            return;
        };
        let size = std::str::from_utf8(&raw[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
            .expect("a chunk size");
        let start = line_end + 2;
        if raw.len() < start + size + 2 {
            return;
        }
        out.extend_from_slice(&raw[start..start + size]);
        raw.drain(..start + size + 2);
    }
}

/// One server-sent event.
#[derive(Debug, Clone)]
struct Event {
    name: String,
    data: String,
}

/// An open event channel, read as it comes.
struct Events {
    stream: TcpStream,
    /// Bytes read and not yet decoded.
    raw: Vec<u8>,
    /// Decoded bytes not yet parsed into events.
    text: Vec<u8>,
    chunked: bool,
    /// Every event read so far, for failure messages.
    seen: Vec<Event>,
}

impl Events {
    /// Reads what the socket has; false once it is closed.
    fn fill(&mut self) -> bool {
        let mut buf = [0u8; 8192];
        match self.stream.read(&mut buf) {
            Ok(0) => false,
            Ok(n) => {
                self.raw.extend_from_slice(&buf[..n]);
                true
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                true
            }
            Err(e) => panic!("reading the event channel: {e}"),
        }
    }

    /// The next event (keep-alive comments skipped), or None at the
    /// deadline or when the server closes the channel.
    fn next(&mut self, deadline: Instant) -> Option<Event> {
        loop {
            if self.chunked {
                dechunk(&mut self.raw, &mut self.text);
            } else {
                self.text.append(&mut self.raw);
            }
            while let Some(end) = find(&self.text, b"\n\n") {
                let block: Vec<u8> = self.text.drain(..end + 2).collect();
                if let Some(event) = parse_event(&String::from_utf8_lossy(&block)) {
                    self.seen.push(event.clone());
                    return Some(event);
                }
            }
            if Instant::now() >= deadline || !self.fill() {
                return None;
            }
        }
    }

    /// The next event named `name`, skipping others (a save that lands
    /// in two bursts may first send the errors of a half-written file).
    fn next_named(&mut self, name: &str, server: &Server) -> Event {
        let deadline = Instant::now() + PATIENCE;
        while let Some(event) = self.next(deadline) {
            if event.name == name {
                return event;
            }
        }
        panic!(
            "no `{name}` event; events so far: {:?}\n--- server stderr\n{}",
            self.seen,
            server.log()
        );
    }
}

fn parse_event(block: &str) -> Option<Event> {
    let mut name = None;
    let mut data: Vec<&str> = Vec::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            name = Some(v.strip_prefix(' ').unwrap_or(v).to_string());
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    if name.is_none() && data.is_empty() {
        return None;
    }
    Some(Event {
        name: name.unwrap_or_else(|| "message".to_string()),
        data: data.join("\n"),
    })
}

fn is_html(r: &Response) -> bool {
    r.content_type().starts_with("text/html")
}

fn has_live_reload(r: &Response) -> bool {
    r.body.contains(EVENTS)
}

// ---------------------------------------------------------------------
// What is served

#[test]
fn pages_are_html_with_the_live_reload_script() {
    let server = Server::on_test_site();
    for (path, expected) in [
        ("/", "Alpha title"),
        ("/reports/alpha/", "Alpha body."),
        ("/reports/alpha/index.html", "Alpha body."),
        ("/tags/", "Serve test site"),
        ("/timeline/", "Serve test site"),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        assert!(
            is_html(&r),
            "GET {path}: content-type {:?}",
            r.content_type()
        );
        assert!(has_live_reload(&r), "GET {path}: no live-reload script");
        assert!(r.body.contains(expected), "GET {path}: no {expected:?}");
        let script = r.body.rfind(EVENTS).unwrap();
        let body_end = r.body.rfind("</body>").expect("a closing </body>");
        assert!(script < body_end, "GET {path}: script after </body>");
        assert_eq!(r.body.matches("new EventSource").count(), 1, "GET {path}");
    }
    let head = server.request("HEAD", "/reports/alpha/", &[]);
    assert_eq!(head.status, 200);
    assert!(is_html(&head));
}

#[test]
fn a_folder_without_its_slash_redirects_to_it() {
    let server = Server::on_test_site();
    for (path, to) in [
        ("/reports/alpha", "/reports/alpha/"),
        ("/reports/alpha?x=1", "/reports/alpha/?x=1"),
        ("/tags", "/tags/"),
    ] {
        let r = server.get(path);
        assert!(
            matches!(r.status, 301 | 302 | 307 | 308),
            "GET {path}: {} {}",
            r.status,
            r.body
        );
        assert_eq!(r.header("location"), Some(to), "GET {path}");
    }
}

#[test]
fn stylesheets_and_data_have_their_content_types() {
    let server = Server::on_test_site();
    for (path, mime) in [
        ("/style.css", "text/css"),
        ("/extra.css", "text/css"),
        ("/timeline.json", "application/json"),
        ("/feed.xml", "xml"),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "GET {path}");
        assert!(
            r.content_type().contains(mime),
            "GET {path}: {:?}",
            r.content_type()
        );
        assert!(
            !has_live_reload(&r),
            "GET {path}: script injected into a non-page"
        );
    }
    assert!(server.get("/extra.css").body.contains("extra v1"));
}

#[test]
fn a_missing_path_gets_the_sites_404_page() {
    let server = Server::on_test_site();
    let not_found = server.get("/404.html");
    assert_eq!(not_found.status, 200);
    for path in [
        "/no/such/page/",
        "/reports/gamma/",
        "/missing.css",
        "/reports/alpha/x",
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 404, "GET {path}");
        assert!(is_html(&r), "GET {path}: {:?}", r.content_type());
        assert_eq!(
            r.body, not_found.body,
            "GET {path}: not the site's 404 page"
        );
        assert!(r.body.contains("Serve test site"), "GET {path}");
    }
}

#[test]
fn only_get_and_head_are_answered() {
    let server = Server::on_test_site();
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        for path in ["/", "/reports/alpha/", "/nothing-here"] {
            let r = server.request(method, path, &[("Content-Length", "0")]);
            assert_eq!(r.status, 405, "{method} {path}: {}", r.body);
        }
    }
    let r = server.request("POST", "/", &[("Content-Length", "0")]);
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
    let r = server.request("POST", EVENTS, &[("Content-Length", "0")]);
    assert_eq!(r.status, 405, "POST {EVENTS}: {}", r.body);
}

#[test]
fn no_path_leaves_the_site() {
    let server = Server::on_test_site();
    for path in [
        "/../../etc/passwd",
        "/../../../../../../etc/passwd",
        "/reports/../../../etc/passwd",
        "/%2e%2e/",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/%252e%252e/",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/..%5c..%5cetc%5cpasswd",
        "/reports/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%00",
        "/site.yaml",
        "/content/reports/alpha.md",
        "/static/extra.css",
    ] {
        let r = server.get(path);
        assert!(
            matches!(r.status, 400 | 404),
            "GET {path} answered {}: {}",
            r.status,
            r.body
        );
        assert!(!r.body.contains("root:"), "GET {path} served /etc/passwd");
        assert!(
            !r.body.contains("Alpha body."),
            "GET {path} served a source file"
        );
    }
}

#[test]
fn foreign_host_names_are_refused() {
    let server = Server::on_test_site();
    let port = server.port.to_string();
    for host in [
        "evil.example",
        &format!("evil.example:{port}"),
        "127.0.0.1.evil.example",
    ] {
        for path in ["/", "/reports/alpha/", "/nothing-here", EVENTS] {
            let r = server.request("GET", path, &[("Host", host)]);
            assert_eq!(r.status, 403, "Host {host}, GET {path}: {}", r.body);
            assert!(!r.body.contains("Alpha"), "Host {host}, GET {path}");
        }
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "localhost".into(),
    ] {
        let r = server.request("GET", "/", &[("Host", &host)]);
        assert_eq!(r.status, 200, "Host {host}");
    }
}

#[test]
fn the_event_channel_refuses_foreign_origins() {
    let server = Server::on_test_site();
    for origin in [
        "http://evil.example",
        &format!("http://evil.example:{}", server.port),
        "null",
        &format!("https://127.0.0.1:{}", server.port),
    ] {
        match server.events(Some(origin)) {
            Err(r) => assert_eq!(r.status, 403, "Origin {origin}: {}", r.body),
            Ok(_) => panic!("Origin {origin}: the event channel was opened"),
        }
    }
    let own = format!("http://127.0.0.1:{}", server.port);
    let mut events = server
        .events(Some(&own))
        .unwrap_or_else(|r| panic!("Origin {own}: {} {}", r.status, r.body));
    let first = events
        .next(Instant::now() + PATIENCE)
        .expect("a first event");
    assert_eq!(first.name, "ok");
}

// ---------------------------------------------------------------------
// Edits

#[test]
fn a_plain_write_serves_the_new_title() {
    let server = Server::on_test_site();
    server.write(
        "content/reports/alpha.md",
        &report("Alpha rewritten", "New body."),
    );
    let page = server.await_page("/reports/alpha/", 200, |b| b.contains("Alpha rewritten"));
    assert!(page.body.contains("New body.") && !page.body.contains("Alpha body."));
    assert!(has_live_reload(&page));
    server.await_page("/", 200, |b| {
        b.contains("Alpha rewritten") && !b.contains("Alpha title")
    });
}

#[test]
fn the_search_index_follows_an_edit() {
    let server = Server::on_test_site();
    let page = server.await_page("/search/", 200, |b| b.contains("data-search"));
    assert!(has_live_reload(&page));
    server.await_page("/search/data/d/0.js", 200, |b| b.contains("Alpha body."));
    server.write(
        "content/reports/alpha.md",
        &report("Alpha title", "Zanzibar body."),
    );
    // The index is made on a thread of its own, after the page.
    server.await_page("/reports/alpha/", 200, |b| b.contains("Zanzibar"));
    server.await_page("/search/data/d/0.js", 200, |b| b.contains("Zanzibar body."));
    let manifest = server.await_page("/search/data/manifest.js", 200, |_| true);
    assert!(
        manifest.body.contains("\"za\""),
        "no shard for the new word"
    );
}

#[test]
fn a_rename_save_serves_the_new_content() {
    let server = Server::on_test_site();
    // Atomic save, as most editors and libraries do it: a temporary file
    // in the same folder, renamed over the report.
    let dir = server.path("content/reports");
    let mut temp = tempfile::Builder::new()
        .prefix(".alpha.md.")
        .tempfile_in(&dir)
        .unwrap();
    temp.write_all(report("Alpha renamed over", "Saved by rename.").as_bytes())
        .unwrap();
    temp.persist(dir.join("alpha.md")).unwrap();
    server.await_page("/reports/alpha/", 200, |b| b.contains("Alpha renamed over"));
    // Again, with a temporary name that is not hidden (`alpha.md.new`).
    let temp = dir.join("alpha.md.new");
    fs::write(&temp, report("Alpha second rename", "Second save.")).unwrap();
    fs::rename(&temp, dir.join("alpha.md")).unwrap();
    server.await_page("/reports/alpha/", 200, |b| {
        b.contains("Alpha second rename")
    });
    server.await_page("/alpha.md.new", 404, |_| true);
}

#[test]
fn a_backup_by_rename_save_serves_the_new_content() {
    let server = Server::on_test_site();
    // vim's default: move the file to `name~`, write it anew, remove `~`.
    let file = server.path("content/reports/alpha.md");
    let backup = server.path("content/reports/alpha.md~");
    fs::rename(&file, &backup).unwrap();
    fs::write(&file, report("Alpha after backup", "Written anew.")).unwrap();
    fs::remove_file(&backup).unwrap();
    server.await_page("/reports/alpha/", 200, |b| b.contains("Alpha after backup"));
}

#[test]
fn a_burst_of_saves_ends_on_the_last() {
    let server = Server::on_test_site();
    for i in 0..25 {
        server.write(
            "content/reports/alpha.md",
            &report(&format!("Alpha burst {i}"), "Burst."),
        );
        thread::sleep(Duration::from_millis(i % 3 * 7));
    }
    server.await_page("/reports/alpha/", 200, |b| b.contains("Alpha burst 24"));
    server.await_page("/", 200, |b| {
        b.contains("Alpha burst 24") && !b.contains("Alpha burst 23")
    });
}

#[test]
fn a_deleted_report_is_gone() {
    let server = Server::on_test_site();
    assert!(server.get("/").body.contains("Beta title"));
    fs::remove_file(server.path("content/reports/beta.md")).unwrap();
    let gone = server.await_page("/reports/beta/", 404, |_| true);
    assert!(!gone.body.contains("Beta body."));
    server.await_page("/", 200, |b| {
        !b.contains("Beta title") && b.contains("Alpha title")
    });
    assert_eq!(server.get("/reports/alpha/").status, 200);
}

#[test]
fn a_renamed_report_moves() {
    let server = Server::on_test_site();
    fs::rename(
        server.path("content/reports/beta.md"),
        server.path("content/reports/beta-moved.md"),
    )
    .unwrap();
    server.await_page("/reports/beta-moved/", 200, |b| b.contains("Beta body."));
    server.await_page("/reports/beta/", 404, |_| true);
    server.await_page("/", 200, |b| {
        b.contains("reports/beta-moved/") && !b.contains("reports/beta/")
    });
}

#[test]
fn a_new_report_is_served() {
    let server = Server::on_test_site();
    assert_eq!(server.get("/reports/gamma/").status, 404);
    server.write(
        "content/reports/gamma.md",
        &report("Gamma title", "Gamma body."),
    );
    let page = server.await_page("/reports/gamma/", 200, |b| b.contains("Gamma body."));
    assert!(is_html(&page) && has_live_reload(&page));
    server.await_page("/", 200, |b| b.contains("Gamma title"));
}

#[test]
fn a_new_folder_with_a_report_is_served() {
    let server = Server::on_test_site();
    server.write(
        "content/briefs/delta.md",
        &report("Delta title", "Delta body."),
    );
    server.await_page("/briefs/delta/", 200, |b| b.contains("Delta body."));
    // Folders made and filled at once, several levels deep.
    server.write(
        "content/deep/er/still/epsilon.md",
        &report("Epsilon title", "Deep."),
    );
    server.await_page("/deep/er/still/epsilon/", 200, |b| {
        b.contains("Epsilon title")
    });
    server.await_page("/", 200, |b| {
        b.contains("Delta title") && b.contains("Epsilon title")
    });
    // A later report in the new folder: its watch must be in place.
    server.write(
        "content/briefs/zeta.md",
        &report("Zeta title", "Zeta body."),
    );
    server.await_page("/briefs/zeta/", 200, |b| b.contains("Zeta body."));
}

#[test]
fn a_deleted_folder_is_gone_and_comes_back() {
    let server = Server::on_test_site();
    server.write("content/briefs/delta.md", &report("Delta title", "Delta."));
    server.await_page("/briefs/delta/", 200, |b| b.contains("Delta title"));
    fs::remove_dir_all(server.path("content/briefs")).unwrap();
    server.await_page("/briefs/delta/", 404, |_| true);
    server.await_page("/", 200, |b| !b.contains("Delta title"));
    server.write("content/briefs/delta.md", &report("Delta again", "Back."));
    server.await_page("/briefs/delta/", 200, |b| b.contains("Delta again"));
    // The recreated folder is watched: a later edit in it is seen.
    server.write(
        "content/briefs/delta.md",
        &report("Delta edited", "Edited."),
    );
    server.await_page("/briefs/delta/", 200, |b| b.contains("Delta edited"));
}

#[test]
fn a_folder_replaced_at_once_is_still_watched() {
    // `rm -rf templates && cp -r elsewhere templates`, or a branch switch:
    // the folder goes and comes back within one burst of events.
    let server = Server::start({
        let site = site();
        site.write("templates/report.html", &report_template("REPLACE-ONE"));
        site
    });
    server.await_page("/reports/alpha/", 200, |b| b.contains("REPLACE-ONE"));
    fs::remove_dir_all(server.path("templates")).unwrap();
    server.write("templates/report.html", &report_template("REPLACE-TWO"));
    server.await_page("/reports/alpha/", 200, |b| b.contains("REPLACE-TWO"));
    // A later save in the new folder must still be seen.
    server.write("templates/report.html", &report_template("REPLACE-THREE"));
    server.await_page("/reports/alpha/", 200, |b| b.contains("REPLACE-THREE"));
}

#[test]
fn broken_yaml_keeps_the_last_good_site_until_fixed() {
    let server = Server::on_test_site();
    let (mut events, first) = server.subscribe();
    assert_eq!(first.name, "ok");
    let broken = "---\ntitle: \"Alpha broken\"\ndate: 2024-01-02\ntags: [one, two\nsummary: x\n---\n\nBroken body.\n";
    server.write("content/reports/alpha.md", broken);
    let errors = events.next_named("errors", &server);
    // The data names the file and the line: `content/reports/alpha.md:L:C: error: ...`.
    let located = errors.data.lines().any(|l| {
        l.strip_prefix("content/reports/alpha.md:")
            .and_then(|rest| rest.split(':').next())
            .is_some_and(|line| line.parse::<u32>().is_ok_and(|n| n >= 1))
    });
    assert!(
        located,
        "the errors do not name the file and line:\n{}",
        errors.data
    );
    assert!(errors.data.contains("error"), "{}", errors.data);
    // The last good page is still served, and so is the rest of the site.
    let page = server.get("/reports/alpha/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Alpha title") && !page.body.contains("Broken body."));
    assert!(server.get("/").body.contains("Alpha title"));
    // A page opened now learns of the errors first.
    let (_, late) = server.subscribe();
    assert_eq!(late.name, "errors", "a new channel starts with {late:?}");
    assert!(
        late.data.contains("content/reports/alpha.md:"),
        "{}",
        late.data
    );
    // Fixing the file reloads and serves the new content.
    server.write(
        "content/reports/alpha.md",
        &report("Alpha fixed", "Fixed body."),
    );
    events.next_named("reload", &server);
    server.await_page("/reports/alpha/", 200, |b| {
        b.contains("Alpha fixed") && b.contains("Fixed body.")
    });
    let (_, after) = server.subscribe();
    assert_eq!(
        after.name, "ok",
        "a new channel after the fix starts with {after:?}"
    );
}

#[test]
fn a_template_override_changes_every_report_page() {
    let server = Server::on_test_site();
    let template = report_template;
    // templates/ does not exist yet: made and filled at once.
    server.write("templates/report.html", &template("OVERRIDE-ONE"));
    for path in ["/reports/alpha/", "/reports/beta/"] {
        let page = server.await_page(path, 200, |b| b.contains("OVERRIDE-ONE"));
        assert!(has_live_reload(&page), "{path}");
    }
    assert!(!server.get("/").body.contains("OVERRIDE-ONE"));
    server.write("templates/report.html", &template("OVERRIDE-TWO"));
    for path in ["/reports/alpha/", "/reports/beta/"] {
        server.await_page(path, 200, |b| {
            b.contains("OVERRIDE-TWO") && !b.contains("OVERRIDE-ONE")
        });
    }
    // A broken template: the errors name it, the last good pages stay.
    let (mut events, _) = server.subscribe();
    server.write(
        "templates/report.html",
        "{% extends \"base.html\" %}\n{% block main %}<p>{{ report.title </p>\n",
    );
    let errors = events.next_named("errors", &server);
    assert!(
        errors.data.contains("templates/report.html"),
        "the errors do not name the template:\n{}",
        errors.data
    );
    assert!(server.get("/reports/alpha/").body.contains("OVERRIDE-TWO"));
    // Without the override, the built-in template is back.
    fs::remove_file(server.path("templates/report.html")).unwrap();
    for path in ["/reports/alpha/", "/reports/beta/"] {
        server.await_page(path, 200, |b| {
            !b.contains("OVERRIDE") && b.contains("class=\"report\"")
        });
    }
}

#[test]
fn a_static_file_edit_is_served_anew() {
    let server = Server::on_test_site();
    let (mut events, _) = server.subscribe();
    server.write("static/extra.css", "body { color: #222; } /* extra v2 */\n");
    let css = server.await_page("/extra.css", 200, |b| b.contains("extra v2"));
    assert!(css.content_type().starts_with("text/css"));
    // A stylesheet edit swaps stylesheets in open pages.
    events.next_named("css", &server);
    // A new static file is served once the watcher has seen it.
    server.write("static/more/added.css", "/* added */\n");
    server.await_page("/more/added.css", 200, |b| b.contains("added"));
    // A deleted one is not, and gets the site's 404 page.
    fs::remove_file(server.path("static/extra.css")).unwrap();
    let gone = server.await_page("/extra.css", 404, |b| b.contains("Serve test site"));
    assert!(is_html(&gone));
}

#[test]
fn a_static_script_edit_reloads_open_pages() {
    let server = Server::start({
        let site = site();
        site.write("static/extra.js", "console.log('v1');\n");
        site
    });
    let (mut events, _) = server.subscribe();
    server.write("static/extra.js", "console.log('v2');\n");
    server.await_page("/extra.js", 200, |b| b.contains("v2"));
    // Swapping stylesheets does not run a new script: the page must reload.
    let event = events
        .next(Instant::now() + PATIENCE)
        .unwrap_or_else(|| panic!("no event after a script edit; stderr:\n{}", server.log()));
    assert_eq!(
        event.name, "reload",
        "a script edit sent `{}`, which only swaps stylesheets",
        event.name
    );
}

#[test]
fn a_good_edit_sends_reload_to_connected_pages() {
    let server = Server::on_test_site();
    let (mut one, first) = server.subscribe();
    assert_eq!((first.name.as_str(), first.data.as_str()), ("ok", ""));
    let (mut two, _) = server.subscribe();
    server.write(
        "content/reports/beta.md",
        &report("Beta reloaded", "Beta again."),
    );
    one.next_named("reload", &server);
    two.next_named("reload", &server);
    server.await_page("/reports/beta/", 200, |b| b.contains("Beta reloaded"));
    // And once more: the channel stays open for the next save.
    server.write(
        "content/reports/beta.md",
        &report("Beta reloaded twice", "Beta again."),
    );
    one.next_named("reload", &server);
    server.await_page("/reports/beta/", 200, |b| b.contains("Beta reloaded twice"));
}

#[test]
fn a_site_yaml_edit_changes_every_page() {
    let server = Server::on_test_site();
    server.write("site.yaml", "title: \"Retitled site\"\n");
    for path in [
        "/",
        "/reports/alpha/",
        "/reports/beta/",
        "/tags/",
        "/nothing-here",
    ] {
        let status = if path == "/nothing-here" { 404 } else { 200 };
        server.await_page(path, status, |b| {
            b.contains("Retitled site") && !b.contains("Serve test site")
        });
    }
}

#[test]
fn a_sources_yaml_edit_changes_the_citing_report() {
    let server = Server::start({
        let site = site();
        site.write(
            "sources.yaml",
            "- id: shared\n  title: \"Shared source v1\"\n  url: https://example.com/s\n",
        );
        site.write(
            "content/reports/alpha.md",
            &report("Alpha title", "A claim [@shared]."),
        );
        site
    });
    server.await_page("/reports/alpha/", 200, |b| b.contains("Shared source v1"));
    server.write(
        "sources.yaml",
        "- id: shared\n  title: \"Shared source v2\"\n  url: https://example.com/s\n",
    );
    server.await_page("/reports/alpha/", 200, |b| {
        b.contains("Shared source v2") && !b.contains("Shared source v1")
    });
}
