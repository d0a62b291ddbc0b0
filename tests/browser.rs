//! Real-browser tests of the built example site (issue #7).
//!
//! This file builds the repository's example site twice with the real
//! binary: once without `base_url`, opened from `file://`, and once with
//! `--base-url http://127.0.0.1:PORT/sub/`, served under that sub-path by
//! a small static file server on loopback (below). Each test then runs one
//! suite of `tests/browser/*.test.mjs` with Node's test runner; the suites
//! drive Debian's Chromium through playwright-core and check citations,
//! the timeline, search, every page's console and requests, accessibility
//! (axe-core), print, responsive layout and page weight.
//!
//! What it needs, and installs when it can (as root, with apt-get and npm):
//! `/usr/bin/chromium` (Debian package `chromium`), `pdftoppm` and
//! `pdftotext` (`poppler-utils`), Node.js 20 or later, and the npm packages
//! pinned in `tests/browser/package-lock.json` (`npm ci` in that folder).
//! `tests/browser/install.sh` does all of that; `.ci/run` runs it first.
//! Anything still missing fails the tests with the command that installs it.
//!
//! Screenshots, the printed PDF and its pages as PNG are left in
//! `target/tmp/browser/<process id>/artifacts/` for people to look at (the
//! folder is printed at the start; earlier runs' folders are removed).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use std::{fs, thread};

/// The sub-path the second build is served under.
const SUB: &str = "/sub/";

/// How long one suite may take before it is stopped.
const SUITE_TIMEOUT: Duration = Duration::from_secs(240);

/// The built sites and the server, made once for all the tests of this file.
struct Fixture {
    chromium: PathBuf,
    file_site: PathBuf,
    http_dir: PathBuf,
    http_site: String,
    artifacts: PathBuf,
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn suites_dir() -> PathBuf {
    repo().join("tests/browser")
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Result<Fixture, String>> = OnceLock::new();
    match FIXTURE.get_or_init(prepare) {
        Ok(fixture) => fixture,
        Err(message) => panic!("{message}"),
    }
}

fn prepare() -> Result<Fixture, String> {
    let chromium = ensure_tools()?;
    // One folder per run: other `cargo test` runs may share this target folder.
    let runs = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    remove_stale_runs(&runs);
    let work = runs.join(std::process::id().to_string());
    let file_site = work.join("site-file");
    let http_dir = work.join("site-http");
    let artifacts = work.join("artifacts");
    if work.exists() {
        fs::remove_dir_all(&work).map_err(|e| format!("cannot clear {}: {e}", work.display()))?;
    }
    fs::create_dir_all(&artifacts)
        .map_err(|e| format!("cannot create {}: {e}", artifacts.display()))?;
    eprintln!(
        "browser tests: screenshots and PDFs go to {}",
        artifacts.display()
    );

    build(&file_site, None)?;
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot listen on loopback: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let http_site = format!("http://127.0.0.1:{port}{SUB}");
    build(&http_dir, Some(&http_site))?;
    let root = http_dir.clone();
    thread::spawn(move || serve(listener, root));

    Ok(Fixture {
        chromium,
        file_site,
        http_dir,
        http_site,
        artifacts,
    })
}

/// Removes the folders of earlier runs whose process has ended.
fn remove_stale_runs(runs: &Path) {
    let Ok(entries) = fs::read_dir(runs) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let alive = Path::new("/proc").join(pid.to_string()).exists();
        if !alive && pid != std::process::id() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Builds the repository's example site into `out` with the real binary.
fn build(out: &Path, base_url: Option<&str>) -> Result<(), String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_annalist"));
    cmd.arg("build")
        .arg("--root")
        .arg(repo())
        .arg("--output")
        .arg(out);
    if let Some(url) = base_url {
        cmd.arg("--base-url").arg(url);
    }
    let run = cmd
        .output()
        .map_err(|e| format!("cannot run annalist: {e}"))?;
    if !run.status.success() {
        return Err(format!(
            "annalist build of the example site failed ({}):\n{}{}",
            run.status,
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// What the suites need

/// Checks for every tool the suites use, runs `tests/browser/install.sh`
/// once if any is missing, and names exactly what is still missing after
/// that. Returns the Chromium binary.
fn ensure_tools() -> Result<PathBuf, String> {
    let mut missing = missing_tools();
    if !missing.is_empty() {
        eprintln!(
            "browser tests: missing {}; running tests/browser/install.sh",
            missing
                .iter()
                .map(|m| m.what.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let run = Command::new("bash")
            .arg(suites_dir().join("install.sh"))
            .stdin(Stdio::null())
            .output();
        match run {
            Ok(out) => eprintln!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => eprintln!("cannot run tests/browser/install.sh: {e}"),
        }
        missing = missing_tools();
    }
    if missing.is_empty() {
        return Ok(chromium_path());
    }
    let mut message = String::from("the browser tests cannot run; missing:\n");
    for m in &missing {
        message.push_str(&format!("  - {}: install with `{}`\n", m.what, m.install));
    }
    message.push_str("(`bash tests/browser/install.sh` as root installs all of them.)");
    Err(message)
}

struct Missing {
    what: String,
    install: &'static str,
}

fn chromium_path() -> PathBuf {
    std::env::var_os("ANNALIST_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Whether `program args...` runs and exits successfully.
fn runs(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then(|| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn missing_tools() -> Vec<Missing> {
    let mut missing = Vec::new();
    if runs(chromium_path(), &["--version"]).is_none() {
        missing.push(Missing {
            what: format!(
                "Chromium at {} (Debian's /usr/bin/chromium, or the path in ANNALIST_CHROMIUM)",
                chromium_path().display()
            ),
            install: "apt-get update && apt-get install -y chromium",
        });
    }
    if runs("pdftoppm", &["-v"]).is_none() || runs("pdftotext", &["-v"]).is_none() {
        missing.push(Missing {
            what: "pdftoppm and pdftotext (poppler-utils)".into(),
            install: "apt-get update && apt-get install -y poppler-utils",
        });
    }
    let node_ok = runs("node", &["--version"])
        .and_then(|v| {
            v.trim()
                .trim_start_matches('v')
                .split('.')
                .next()?
                .parse::<u32>()
                .ok()
        })
        .is_some_and(|major| major >= 20);
    if !node_ok {
        missing.push(Missing {
            what: "Node.js 20 or later (node and npm)".into(),
            install: "apt-get install -y nodejs npm  (or any Node.js >= 20 on PATH)",
        });
    }
    let modules = suites_dir().join("node_modules");
    if !modules.join("playwright-core/package.json").exists()
        || !modules.join("axe-core/axe.min.js").exists()
    {
        missing.push(Missing {
            what: "the npm packages playwright-core and axe-core in tests/browser/node_modules"
                .into(),
            install: "cd tests/browser && npm ci",
        });
    }
    missing
}

// ---------------------------------------------------------------------------
// Running a suite

/// Runs `tests/browser/<name>.test.mjs` under Node's test runner and fails
/// with its whole report unless every test in it passed.
fn suite(name: &str) {
    let fx = fixture();
    let file = suites_dir().join(format!("{name}.test.mjs"));
    let mut child = Command::new("node")
        .arg("--test")
        .arg("--test-reporter=spec")
        .arg(&file)
        .current_dir(suites_dir())
        .env("ANNALIST_CHROMIUM", &fx.chromium)
        .env("ANNALIST_FILE_SITE", &fx.file_site)
        .env("ANNALIST_HTTP_SITE", &fx.http_site)
        .env("ANNALIST_HTTP_DIR", &fx.http_dir)
        .env("ANNALIST_ARTIFACTS", &fx.artifacts)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start node for {}: {e}", file.display()));
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for node") {
            break Some(status);
        }
        if start.elapsed() > SUITE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    let report = format!(
        "{}{}",
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default()
    );
    match status {
        Some(status) if status.success() => println!("{report}"),
        Some(status) => panic!("browser suite {name} failed ({status}):\n{report}"),
        None => panic!(
            "browser suite {name} did not finish in {}s:\n{report}",
            SUITE_TIMEOUT.as_secs()
        ),
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

#[test]
fn citations_and_backlinks() {
    suite("citations");
}

#[test]
fn timeline_filters() {
    suite("timeline");
}

#[test]
fn every_page_loads_clean() {
    suite("pages");
}

#[test]
fn accessibility() {
    suite("a11y");
}

#[test]
fn print() {
    suite("print");
}

#[test]
fn responsive_screenshots() {
    suite("responsive");
}

#[test]
fn page_weight() {
    suite("weight");
}

#[test]
fn search() {
    suite("search");
}

// ---------------------------------------------------------------------------
// A static file server for the sub-path build

/// Serves `root` under [`SUB`] on `listener`, one thread per connection, as
/// a plain static host would: `dir/` is `dir/index.html`, a folder without
/// its slash redirects, a missing file is a 404 with the site's `404.html`.
/// Anything outside the sub-path is a bare 404.
fn serve(listener: TcpListener, root: PathBuf) {
    for stream in listener.incoming().flatten() {
        let root = root.clone();
        thread::spawn(move || {
            let _ = answer(stream, &root);
        });
    }
}

fn answer(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"",
            &[],
            head_only,
        );
    }
    let raw_path = target.split(['?', '#']).next().unwrap_or("/");
    let Some(path) = percent_decode(raw_path) else {
        return respond(
            &mut stream,
            "400 Bad Request",
            "text/plain",
            b"bad path",
            &[],
            head_only,
        );
    };
    let Some(rel) = path.strip_prefix(SUB) else {
        if path == SUB.trim_end_matches('/') {
            return respond(
                &mut stream,
                "301 Moved Permanently",
                "text/plain",
                b"",
                &[("Location", SUB)],
                head_only,
            );
        }
        return respond(
            &mut stream,
            "404 Not Found",
            "text/plain",
            b"outside the site",
            &[],
            head_only,
        );
    };
    if rel.split('/').any(|seg| seg == ".." || seg == ".") || rel.contains('\\') {
        return respond(
            &mut stream,
            "400 Bad Request",
            "text/plain",
            b"bad path",
            &[],
            head_only,
        );
    }
    let mut file = root.join(rel);
    if file.is_dir() {
        if !rel.is_empty() && !rel.ends_with('/') {
            let location = format!("{raw_path}/");
            return respond(
                &mut stream,
                "301 Moved Permanently",
                "text/plain",
                b"",
                &[("Location", &location)],
                head_only,
            );
        }
        file = file.join("index.html");
    }
    match fs::read(&file) {
        Ok(body) => respond(
            &mut stream,
            "200 OK",
            content_type(&file),
            &body,
            &[],
            head_only,
        ),
        Err(_) => {
            let body = fs::read(root.join("404.html")).unwrap_or_else(|_| b"not found".to_vec());
            respond(
                &mut stream,
                "404 Not Found",
                "text/html; charset=utf-8",
                &body,
                &[],
                head_only,
            )
        }
    }
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    headers: &[(&str, &str)],
    head_only: bool,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `%XX` decoding of a URL path into UTF-8; None if it is not valid.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
