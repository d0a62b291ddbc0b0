//! `annalist serve`: build in memory, serve on loopback, watch the site's
//! inputs, rebuild what an edit touches and reload open pages.

pub mod live;
pub mod server;
pub mod session;
pub mod watch;
mod watcher;

use std::collections::BTreeSet;
use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use tokio::sync::broadcast;

use crate::diagnostic::Diagnostic;
use crate::search;
use server::{AppState, Live, Served};
use session::{Rebuild, Session};
use watch::Change;

/// How many ports above the asked one are tried when it is taken.
const PORT_TRIES: u16 = 20;

/// Where and what to serve.
#[derive(Debug, Clone)]
pub struct Options {
    /// The site's root folder.
    pub root: PathBuf,
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port to try first.
    pub port: u16,
    /// Include drafts.
    pub drafts: bool,
    /// Build the search index (unless `site.yaml` turns search off).
    pub search: bool,
}

/// Builds, serves and rebuilds until interrupted. Returns only on a setup
/// failure (no free port, no watcher), with its message.
pub fn run(options: &Options) -> Result<(), String> {
    let root = std::fs::canonicalize(&options.root)
        .map_err(|e| format!("cannot open the site at {}: {e}", options.root.display()))?;
    let started = Instant::now();
    let mut session = session(&root, options.drafts, None, options.search);
    let served = Arc::new(RwLock::new(Served::default()));
    let (live, _) = broadcast::channel(64);
    let indexer = search::Indexer::start({
        let served = served.clone();
        move |files| {
            if let Ok(mut s) = served.write() {
                s.search = files
                    .into_iter()
                    .map(|f| (f.path, f.bytes.into()))
                    .collect();
            }
        }
    });
    let first = session.rebuild();
    let mut warned = Warnings::default();
    let ok = first.is_ok();
    publish(
        &session,
        &served,
        &live,
        first,
        "initial build",
        started,
        &mut warned,
    );
    index(&session, &indexer, ok);
    let listener = bind(options.bind, options.port)?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    announce(options, address);
    let state = AppState {
        served: served.clone(),
        live: live.clone(),
        hosts: Arc::new(hosts(options.bind)),
    };
    std::thread::spawn(move || serve_http(listener, state));
    let changes = watcher::Watcher::start(&root)?;
    for batch in changes {
        let started = Instant::now();
        let what = describe(&batch);
        let result = session.update(&batch);
        let ok = result.is_ok();
        publish(
            &session,
            &served,
            &live,
            result,
            &what,
            started,
            &mut warned,
        );
        // After the reload went out: gathering the index's records takes
        // ~20 ms at 10,000 reports, and the page need not wait for it.
        index(&session, &indexer, ok);
    }
    Err("the file watcher stopped".to_string())
}

/// A session for `root`, with search unless `search` is false.
fn session(root: &Path, drafts: bool, base_url: Option<&str>, search: bool) -> Session {
    let session = Session::new(root, drafts, base_url);
    if search {
        session
    } else {
        session.without_search()
    }
}

/// After a successful rebuild, hands the site to the search indexer.
fn index(session: &Session, indexer: &search::Indexer, ok: bool) {
    if ok {
        let site = session.site().filter(|s| s.config.search);
        indexer.update(site.map(search::Corpus::of));
    }
}

/// `build --watch`: builds into `out`, then rebuilds on every change,
/// writing only the files that changed. Returns only on a setup failure.
/// The search index is rebuilt with the site when its records changed.
pub fn watch_build(
    root: &Path,
    out: &Path,
    drafts: bool,
    base_url: Option<&str>,
    search: bool,
) -> Result<(), String> {
    let root = std::fs::canonicalize(root)
        .map_err(|e| format!("cannot open the site at {}: {e}", root.display()))?;
    let mut session = session(&root, drafts, base_url, search);
    let mut index = SearchFiles::default();
    let mut written = session::Output::default();
    let mut result = session.rebuild();
    let mut what = "initial build".to_string();
    let mut started = Instant::now();
    let mut warned = Warnings::default();
    let mut changes = watcher::Watcher::start(&root)?;
    loop {
        match result {
            Ok(rebuild) => {
                let mut current = session.output().clone();
                index.refresh(&session)?;
                current.files.extend(index.files.clone());
                let changed = current
                    .files
                    .iter()
                    .filter(|(path, bytes)| written.files.get(*path) != Some(bytes))
                    .map(|(path, bytes)| (path.as_str(), &bytes[..]));
                let removed = written
                    .files
                    .keys()
                    .chain(written.assets.keys())
                    .filter(|p| !current.files.contains_key(*p) && !current.assets.contains_key(*p))
                    .map(String::as_str);
                let assets = current
                    .assets
                    .iter()
                    .map(|(d, s)| (d.as_str(), s.as_path()));
                let count = crate::output::sync(out, changed, removed, assets)
                    .map_err(|e| format!("cannot write to {}: {e}", out.display()))?;
                written = current;
                eprint!("{}", warned.news(&rebuild.warnings));
                eprintln!(
                    "{what}: {count} file(s) written in {} ms",
                    started.elapsed().as_millis()
                );
            }
            Err(diags) => {
                for d in &diags {
                    eprintln!("{d}\n");
                }
                eprintln!("{what}: build failed; {} left as it was", out.display());
            }
        }
        let Some(batch) = changes.next() else {
            return Err("the file watcher stopped".to_string());
        };
        started = Instant::now();
        what = describe(&batch);
        result = session.update(&batch);
    }
}

/// The search index last written by `build --watch`, and its version.
#[derive(Default)]
struct SearchFiles {
    version: Option<u64>,
    files: Vec<(String, Arc<[u8]>)>,
}

impl SearchFiles {
    /// Indexes the session's site again if its records changed.
    fn refresh(&mut self, session: &Session) -> Result<(), String> {
        let corpus = session
            .site()
            .filter(|s| s.config.search)
            .map(search::Corpus::of);
        let version = corpus.as_ref().map(search::Corpus::version);
        if version == self.version && !self.files.is_empty() {
            return Ok(());
        }
        let files = match &corpus {
            Some(corpus) => search::files(corpus).map_err(|diags| {
                let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
                text.join("\n")
            })?,
            None => Vec::new(),
        };
        self.files = files
            .into_iter()
            .map(|f| (f.path, f.bytes.into()))
            .collect();
        self.version = version;
        Ok(())
    }
}

fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, String> {
    for candidate in port..port.saturating_add(PORT_TRIES) {
        if let Ok(listener) = TcpListener::bind(SocketAddr::new(ip, candidate)) {
            return Ok(listener);
        }
    }
    Err(format!(
        "no free port on {ip} from {port} to {}",
        port.saturating_add(PORT_TRIES - 1)
    ))
}

fn announce(options: &Options, address: SocketAddr) {
    let mut err = std::io::stderr().lock();
    if !options.bind.is_loopback() {
        let _ = writeln!(
            err,
            "warning: serving on {} makes your drafts visible to other machines on the network",
            options.bind
        );
    }
    if address.port() != options.port {
        let _ = writeln!(
            err,
            "port {} is taken; using {} instead",
            options.port,
            address.port()
        );
    }
    let host = if options.bind.is_loopback() {
        "127.0.0.1".to_string()
    } else {
        address.ip().to_string()
    };
    let _ = writeln!(
        err,
        "serving http://{host}:{}/ (Ctrl-C to stop)",
        address.port()
    );
}

/// Host names requests may carry: this machine's, and the bound address.
fn hosts(bind: IpAddr) -> Vec<String> {
    let mut hosts = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "[::1]".to_string(),
    ];
    let bound = match bind {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    };
    if !hosts.contains(&bound) {
        hosts.push(bound);
    }
    hosts
}

fn serve_http(listener: TcpListener, state: AppState) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the HTTP server: {e}");
            return;
        }
    };
    runtime.block_on(async move {
        let _ = listener.set_nonblocking(true);
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot start the HTTP server: {e}");
                return;
            }
        };
        if let Err(e) = axum::serve(listener, server::app(state)).await {
            eprintln!("error: the HTTP server stopped: {e}");
        }
    });
}

/// Puts a rebuild's result in front of the reader: the new site and a
/// reload, or the errors in the terminal and the browser.
fn publish(
    session: &Session,
    served: &RwLock<Served>,
    live: &broadcast::Sender<Live>,
    result: Result<Rebuild, Vec<Diagnostic>>,
    what: &str,
    started: Instant,
    warned: &mut Warnings,
) {
    let mut err = std::io::stderr().lock();
    match result {
        Ok(rebuild) => {
            let _ = write!(err, "{}", warned.news(&rebuild.warnings));
            let was_broken = served.read().map(|s| s.errors.is_some()).unwrap_or(false);
            if let Ok(mut s) = served.write() {
                s.output = session.output().clone();
                s.errors = None;
            }
            let _ = writeln!(
                err,
                "{what}: {} page(s) rendered in {} ms{}",
                rebuild.rendered,
                started.elapsed().as_millis(),
                warned.summary()
            );
            if rebuild.css_only {
                let _ = live.send(Live::Css);
            } else if rebuild.rendered > 0 || rebuild.assets_changed || was_broken {
                let _ = live.send(Live::Reload);
            } else {
                // Nothing changed for readers (a save without changes), but
                // pages showing an error overlay must drop it.
                let _ = live.send(Live::Ok);
            }
        }
        Err(diags) => {
            let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
            let text = text.join("\n\n");
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let _ = writeln!(
                err,
                "{text}\n\n{what}: {errors} error(s); still serving the last good site"
            );
            if let Ok(mut s) = served.write() {
                s.errors = Some(text.clone());
            }
            let _ = live.send(Live::Errors(text));
        }
    }
}

/// The warnings already printed: each rebuild prints only the new ones,
/// so a site with thousands of warnings does not bury the rebuild line.
#[derive(Default)]
pub struct Warnings {
    shown: std::collections::HashSet<String>,
    count: usize,
}

impl Warnings {
    /// The text of the warnings in `all` not printed before.
    pub fn news(&mut self, all: &[Diagnostic]) -> String {
        let mut out = String::new();
        let mut now = std::collections::HashSet::with_capacity(all.len());
        for d in all {
            let text = d.to_string();
            if !self.shown.contains(&text) {
                out.push_str(&text);
                out.push_str("\n\n");
            }
            now.insert(text);
        }
        self.count = now.len();
        self.shown = now;
        out
    }

    /// `; N warning(s)` when there are any.
    pub fn summary(&self) -> String {
        match self.count {
            0 => String::new(),
            n => format!("; {n} warning(s), shown when they first appeared"),
        }
    }
}

/// A few words on what changed, for the terminal.
fn describe(batch: &BTreeSet<Change>) -> String {
    let names: Vec<String> = batch
        .iter()
        .map(|c| match c {
            Change::Config => "site.yaml/sources.yaml".to_string(),
            Change::Templates => "templates".to_string(),
            Change::Static(p) => p.display().to_string(),
            Change::Content(p) => Path::new(p).display().to_string(),
        })
        .collect();
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{}, {} and {} more", names[0], names[1], n - 2),
    }
}
