//! Reads a site from disk: configuration, bibliography, content files,
//! template overrides and files to copy.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::document::Document;
use std::sync::Arc;

use super::frontmatter::{self, Source};
use crate::config::SiteConfig;
use crate::diagnostic::Diagnostic;

/// Largest content file accepted, in bytes.
pub const MAX_FILE_SIZE: u64 = 64 << 20;

/// Everything a build needs from disk.
#[derive(Debug)]
pub struct SiteInput {
    /// The site's root folder.
    pub root: PathBuf,
    /// `site.yaml`, with overrides applied.
    pub config: SiteConfig,
    /// `sources.yaml`, with the line and column of each entry's `id`.
    pub sources: Vec<(Arc<Source>, (usize, usize))>,
    /// Text of `sources.yaml`, for diagnostics.
    pub sources_text: String,
    /// Files copied verbatim into the output.
    pub assets: Vec<Asset>,
    /// The site's own templates, overriding built-ins by name.
    pub templates: Vec<TemplateFile>,
}

/// A file to copy into the output.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Where it is on disk.
    pub source: PathBuf,
    /// Where it goes, relative to the output root, `/`-separated.
    pub dest: String,
}

/// A template from the site's `templates/` folder.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Its name, relative to `templates/` (`report.html`).
    pub name: String,
    /// Its path relative to the site root, for diagnostics.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// Loads everything but `content/`: settings, bibliography, templates and
/// `static/` (as the input's `assets`).
pub fn load_settings(root: &Path, base_url: Option<&str>) -> (SiteInput, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let config = load_config(root, base_url).unwrap_or_else(|d| {
        diags.push(d);
        SiteConfig::default()
    });
    let (sources, sources_text) = load_sources(root).unwrap_or_else(|d| {
        diags.push(d);
        (Vec::new(), String::new())
    });
    diags.extend(duplicate_sources(&sources, &sources_text));
    let outside = config.follow_outside_symlinks;
    let assets = walk_static(root, outside, &mut diags);
    let templates = load_templates(root, outside, &mut diags);
    let input = SiteInput {
        root: root.to_path_buf(),
        config,
        sources,
        sources_text,
        assets,
        templates,
    };
    (input, diags)
}

/// Two entries of `sources.yaml` with one id are errors.
fn duplicate_sources(sources: &[(Arc<Source>, (usize, usize))], text: &str) -> Vec<Diagnostic> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut diags = Vec::new();
    for (source, (line, col)) in sources {
        if let Some(first) = seen.insert(&source.id, *line) {
            diags.push(
                Diagnostic::error(
                    Path::new("sources.yaml"),
                    *line,
                    *col,
                    format!(
                        "duplicate source id `{}` (first declared on line {first})",
                        source.id
                    ),
                )
                .with_source(text),
            );
        }
    }
    diags
}

fn rel(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// Reads a text file: too large, unreadable and non-UTF-8 files are errors.
fn read_text(root: &Path, path: &Path) -> Result<String, Diagnostic> {
    let shown = rel(root, path);
    let fail = |msg: String| Diagnostic::error(&shown, 0, 0, msg);
    let cannot = |e: std::io::Error| fail(format!("cannot read file: {e}"));
    let mut file = fs::File::open(path).map_err(cannot)?;
    let too_large = |len: u64| {
        fail(format!(
            "file is {len} bytes, larger than the limit of {MAX_FILE_SIZE} bytes"
        ))
    };
    let len = file.metadata().map_err(cannot)?.len();
    if len > MAX_FILE_SIZE {
        return Err(too_large(len));
    }
    // One byte more than the size, so the read ends without regrowing.
    let mut bytes = Vec::with_capacity(len as usize + 1);
    (&mut file)
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large(bytes.len() as u64));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = String::from_utf8_lossy(valid);
            let line = valid.matches('\n').count() + 1;
            let col = valid[valid.rfind('\n').map_or(0, |i| i + 1)..]
                .chars()
                .count()
                + 1;
            let lossy = String::from_utf8_lossy(e.as_bytes());
            Err(
                Diagnostic::error(&shown, line, col, "file is not valid UTF-8 text")
                    .with_source(&lossy),
            )
        }
    }
}

fn load_config(root: &Path, base_url: Option<&str>) -> Result<SiteConfig, Diagnostic> {
    let path = root.join("site.yaml");
    let shown = PathBuf::from("site.yaml");
    let text = if path.exists() {
        read_text(root, &path)?
    } else {
        String::new()
    };
    let config = if text.trim().is_empty() {
        SiteConfig::default()
    } else {
        frontmatter::parse_yaml::<SiteConfig>(&text)
            .map_err(|e| Diagnostic::error(&shown, e.line, e.col, e.message).with_source(&text))?
    };
    config.finish(base_url).map_err(|(key, message)| {
        use super::locate::Step::Key;
        let at = super::locate::locate(&text, &[Key(key)])
            .or_else(|| super::locate::locate(&text, &[Key("options"), Key(key)]));
        let (line, col) = at.unwrap_or((0, 0));
        Diagnostic::error(&shown, line, col, message).with_source(&text)
    })
}

/// `sources.yaml`'s entries with the line of each id, and its text.
type Bibliography = (Vec<(Arc<Source>, (usize, usize))>, String);

fn load_sources(root: &Path) -> Result<Bibliography, Diagnostic> {
    let path = root.join("sources.yaml");
    if !path.exists() {
        return Ok((Vec::new(), String::new()));
    }
    let shown = PathBuf::from("sources.yaml");
    let text = read_text(root, &path)?;
    if text.trim().is_empty() {
        return Ok((Vec::new(), text));
    }
    let sources: Vec<Arc<Source>> = frontmatter::parse_yaml(&text)
        .map_err(|e| Diagnostic::error(&shown, e.line, e.col, e.message).with_source(&text))?;
    let located = sources
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let path = [
                super::locate::Step::Index(i),
                super::locate::Step::Key("id"),
            ];
            let at = super::locate::locate(&text, &path).unwrap_or((0, 0));
            (s, at)
        })
        .collect();
    Ok((located, text))
}

/// A Markdown file of `content/`, before it is read.
#[derive(Debug)]
pub struct PageFile {
    path: PathBuf,
    dir: String,
    stem: String,
    is_bundle: bool,
}

/// Whether a file name is an editor's temporary or backup file.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
}

/// Walks `dir` following symlinks that stay inside `root` (or any, with
/// `outside`); every other problem (a loop, a link out of the site, an
/// unreadable folder) is an error.
fn walk(
    root: &Path,
    dir: &Path,
    outside: bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<walkdir::DirEntry> {
    let mut files = Vec::new();
    walk_each(root, dir, outside, true, diags, |entry| files.push(entry));
    files
}

/// [`walk`], handing each file to `each` as it is found.
fn walk_each(
    root: &Path,
    dir: &Path,
    outside: bool,
    sorted: bool,
    diags: &mut Vec<Diagnostic>,
    mut each: impl FnMut(walkdir::DirEntry),
) {
    let canonical_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let walk = WalkDir::new(dir).follow_links(true);
    let mut it = match sorted {
        true => walk.sort_by_file_name(),
        false => walk,
    }
    .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().map_or_else(|| rel(root, dir), |p| rel(root, p));
                let msg = if e.loop_ancestor().is_some() {
                    "symbolic link loop".to_string()
                } else {
                    format!("cannot read: {e}")
                };
                diags.push(Diagnostic::error(&at, 0, 0, msg));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if entry.depth() > 0 && is_editor_temp(&name) {
            if entry.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink() && !outside {
            let inside = fs::canonicalize(entry.path())
                .map(|t| t.starts_with(&canonical_root))
                .unwrap_or(false);
            if !inside {
                diags.push(Diagnostic::error(
                    &rel(root, entry.path()),
                    0,
                    0,
                    "symbolic link points outside the site",
                ));
                if entry.file_type().is_dir() {
                    it.skip_current_dir();
                }
                continue;
            }
        }
        if entry.file_type().is_file() {
            each(entry);
        }
    }
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The pages and assets at or below `path` (a file or folder under
/// `content/`); names starting with `_` are not pages, except the top
/// `_index.md`, the home page intro. Each page goes to `on_page` as soon
/// as it is found, so reading can start while the walk goes on; the
/// assets are returned.
pub fn content_files(
    root: &Path,
    path: &Path,
    outside: bool,
    diags: &mut Vec<Diagnostic>,
    mut on_page: impl FnMut(PageFile),
) -> Vec<Asset> {
    let content = root.join("content");
    let mut assets = Vec::new();
    if !path.exists() {
        return assets;
    }
    // Unsorted: a sorted walk reads and sorts a whole folder before the
    // first file can be loaded (a tenth of a second, on one thread, for a
    // folder of 100,000 reports); callers put pages in `walk_order`.
    walk_each(root, path, outside, false, diags, |entry| {
        let path = entry.path();
        let inner = path.strip_prefix(&content).unwrap_or(path);
        let name = entry.file_name().to_string_lossy().to_string();
        let parent = inner.parent().map(slash_path).unwrap_or_default();
        if name.starts_with('_') && !(name == "_index.md" && parent.is_empty()) {
            return;
        }
        if !name.ends_with(".md") {
            assets.push(Asset {
                source: path.to_path_buf(),
                dest: slash_path(inner),
            });
            return;
        }
        let is_bundle = name == "index.md" && !parent.is_empty();
        let (dir, stem) = if is_bundle {
            match parent.rsplit_once('/') {
                Some((d, s)) => (d.to_string(), s.to_string()),
                None => (String::new(), parent.clone()),
            }
        } else {
            (parent.clone(), name.trim_end_matches(".md").to_string())
        };
        on_page(PageFile {
            path: path.to_path_buf(),
            dir,
            stem,
            is_bundle,
        });
    });
    assets.sort_by_cached_key(|a| walk_order(&a.source));
    assets
}

/// A key that orders paths as a walk visiting names in order finds them
/// (`a`, `a/x`, `a-b`): the path's bytes with each separator as 0.
pub fn walk_order(path: &Path) -> Vec<u8> {
    path.as_os_str()
        .as_encoded_bytes()
        .iter()
        .map(|&b| match std::path::is_separator(char::from(b)) {
            true => 0,
            false => b,
        })
        .collect()
}

/// Reads and parses one page.
pub fn read_page(root: &Path, page: PageFile) -> Result<Document, Diagnostic> {
    let text = read_text(root, &page.path)?;
    Document::parse(
        rel(root, &page.path),
        page.dir,
        page.stem,
        page.is_bundle,
        text,
    )
}

/// The files of `static/`, copied to the output root.
pub fn walk_static(root: &Path, outside: bool, diags: &mut Vec<Diagnostic>) -> Vec<Asset> {
    let dir = root.join("static");
    if !dir.is_dir() {
        return Vec::new();
    }
    walk(root, &dir, outside, diags)
        .into_iter()
        .map(|entry| Asset {
            dest: slash_path(entry.path().strip_prefix(&dir).unwrap_or(entry.path())),
            source: entry.into_path(),
        })
        .collect()
}

/// The site's own templates.
pub fn load_templates(
    root: &Path,
    outside: bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<TemplateFile> {
    let dir = root.join("templates");
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut templates = Vec::new();
    for entry in walk(root, &dir, outside, diags) {
        let path = entry.path();
        let name = slash_path(path.strip_prefix(&dir).unwrap_or(path));
        match read_text(root, path) {
            Ok(text) => templates.push(TemplateFile {
                name,
                path: rel(root, path),
                text,
            }),
            Err(d) => diags.push(d),
        }
    }
    templates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_order_puts_a_folder_before_its_siblings_with_longer_names() {
        let mut paths = ["a-b.md", "a/x.md", "a.md", "a/b/c.md", "b.md", "a/y.md"];
        paths.sort_by_cached_key(|p| walk_order(Path::new(p)));
        assert_eq!(
            paths,
            ["a/b/c.md", "a/x.md", "a/y.md", "a-b.md", "a.md", "b.md"]
        );
    }
}
