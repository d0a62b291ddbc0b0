//! A site kept built in memory for the dev server. Every report stays
//! assembled in a cache keyed by its file; an edit re-reads and
//! re-assembles only the files it touched, rebuilds the model (cheap), and
//! re-renders only the pages whose inputs changed (see `render::memo`).
//! A failed rebuild changes nothing: the last good site stays served.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::watch::Change;
use crate::content::{self, Asset, SiteInput, TemplateFile, frontmatter::Source};
use crate::diagnostic::{self, Diagnostic};
use crate::lock::lock;
use crate::model::load::{self, Loaded};
use crate::model::{Report, Site, site};
use crate::render::memo::{self, FastMap, Memo};
use crate::render::templates::Templates;
use crate::render::{self, OutputFile};
use crate::search;

/// One content file as last seen.
struct Entry {
    report: Option<Arc<Report>>,
    draft: bool,
    diagnostics: Vec<Diagnostic>,
}

/// The site's inputs other than its reports.
struct Inputs {
    config: crate::config::SiteConfig,
    sources: Vec<(Arc<Source>, (usize, usize))>,
    sources_text: String,
    diagnostics: Vec<Diagnostic>,
    template_files: Vec<TemplateFile>,
    template_diagnostics: Vec<Diagnostic>,
    static_assets: Vec<Asset>,
}

/// What the dev server serves: rendered files, and files to read from disk.
#[derive(Debug, Default, Clone)]
pub struct Output {
    /// Rendered files by output path.
    pub files: FastMap<String, Arc<[u8]>>,
    /// Copied files by output path: where to read them.
    pub assets: FastMap<String, PathBuf>,
}

/// What a rebuild did.
#[derive(Debug, Default)]
pub struct Rebuild {
    /// Pages and files rendered anew.
    pub rendered: usize,
    /// Whether only stylesheets changed (a CSS swap is enough).
    pub css_only: bool,
    /// Whether files copied as they are (images, static files) changed.
    pub assets_changed: bool,
    /// Warnings (a failed rebuild returns errors instead).
    pub warnings: Vec<Diagnostic>,
}

impl Rebuild {
    /// A successful rebuild that rendered `rendered` files.
    fn done(rendered: usize, mut warnings: Vec<Diagnostic>) -> Self {
        diagnostic::sort(&mut warnings);
        Rebuild {
            rendered,
            css_only: false,
            assets_changed: false,
            warnings,
        }
    }
}

/// A site kept built in memory.
pub struct Session {
    root: PathBuf,
    drafts: bool,
    base_url: Option<String>,
    inputs: Inputs,
    templates: Option<Templates>,
    intro: Option<Entry>,
    intro_html: String,
    docs: BTreeMap<PathBuf, Entry>,
    content_assets: BTreeMap<PathBuf, Asset>,
    memo: Memo,
    output: Output,
    /// The model of the last good build, and where each report is in it.
    site: Option<Site>,
    positions: FastMap<PathBuf, usize>,
    /// Whether search may be on (`--no-search` turns it off).
    search: bool,
}

impl Session {
    /// Builds the site at `root` from scratch. Errors are returned beside
    /// the session: a session always exists, serving nothing until fixed.
    pub fn new(root: &Path, drafts: bool, base_url: Option<&str>) -> Self {
        let mut session = Session {
            root: root.to_path_buf(),
            drafts,
            base_url: base_url.map(str::to_string),
            inputs: load_inputs(root, base_url),
            templates: None,
            intro: None,
            intro_html: String::new(),
            docs: BTreeMap::new(),
            content_assets: BTreeMap::new(),
            memo: Memo::default(),
            output: Output::default(),
            site: None,
            positions: FastMap::default(),
            search: true,
        };
        session.compile_templates();
        session.reload_content(&root.join("content"));
        session
    }

    /// The last good site.
    pub fn output(&self) -> &Output {
        &self.output
    }

    /// Leaves search out, as `--no-search` does (before the first rebuild).
    pub fn without_search(mut self) -> Self {
        self.search = false;
        self
    }

    /// The model of the last good site, if there is one.
    pub fn site(&self) -> Option<&Site> {
        self.site.as_ref()
    }

    /// Applies `changes` and rebuilds what they touch. On errors the site
    /// stays as it was and every diagnostic (warnings too) comes back.
    pub fn update(&mut self, changes: &BTreeSet<Change>) -> Result<Rebuild, Vec<Diagnostic>> {
        let before = self.edited_reports(changes);
        let mut css_only = !changes.is_empty();
        let mut assets_changed = false;
        for change in changes {
            match change {
                Change::Config => {
                    self.inputs = load_inputs(&self.root, self.base_url.as_deref());
                    self.reload_content(&self.root.join("content"));
                    css_only = false;
                }
                Change::Templates => {
                    let mut diags = Vec::new();
                    self.inputs.template_files =
                        content::load_templates(&self.root, self.outside(), &mut diags);
                    self.inputs.template_diagnostics = diags;
                    self.compile_templates();
                    css_only = false;
                }
                Change::Static(rel) => {
                    // Only a stylesheet can be swapped in place.
                    css_only &= rel.extension().is_some_and(|e| e == "css");
                    let mut diags = Vec::new();
                    self.inputs.static_assets =
                        content::walk_static(&self.root, self.outside(), &mut diags);
                    assets_changed = true;
                    self.inputs
                        .diagnostics
                        .retain(|d| !d.path.starts_with("static"));
                    self.inputs.diagnostics.extend(diags);
                }
                Change::Content(rel) => {
                    self.reload_content(&self.root.join(rel));
                    assets_changed |= rel.extension().is_none_or(|e| e != "md");
                    css_only = false;
                }
            }
        }
        let rebuild = match before {
            Some(before) => match self.same_listings(&before) {
                Some(indices) => self.rebuild_reports(&indices)?,
                None => self.rebuild()?,
            },
            None => self.rebuild()?,
        };
        Ok(Rebuild {
            css_only: css_only && rebuild.rendered == 0,
            assets_changed,
            ..rebuild
        })
    }

    /// When `changes` are edits to existing report files only, those
    /// reports as they were before the edit.
    fn edited_reports(&self, changes: &BTreeSet<Change>) -> Option<Vec<(PathBuf, Arc<Report>)>> {
        self.site.as_ref()?;
        changes
            .iter()
            .map(|change| match change {
                Change::Content(rel) if rel.extension().is_some_and(|e| e == "md") => {
                    let report = self.docs.get(rel)?.report.clone()?;
                    self.positions.get(rel)?;
                    Some((rel.clone(), report))
                }
                _ => None,
            })
            .collect()
    }

    /// The positions of the edited reports in the last model, if every edit
    /// left what other pages show of them as it was: then only their own
    /// pages need rendering.
    fn same_listings(&self, before: &[(PathBuf, Arc<Report>)]) -> Option<Vec<usize>> {
        before
            .iter()
            .map(|(path, old)| {
                let new = self.docs.get(path)?.report.as_ref()?;
                let same = new.keys.summary == old.keys.summary
                    && new.keys.events == old.keys.events
                    && new.keys.references == old.keys.references
                    && new.dir == old.dir
                    && (new.standalone, new.draft) == (old.standalone, old.draft)
                    && !new.standalone
                    && !new.draft;
                same.then(|| self.positions.get(path).copied()).flatten()
            })
            .collect()
    }

    /// Swaps the edited reports into the last model and renders their pages.
    fn rebuild_reports(&mut self, indices: &[usize]) -> Result<Rebuild, Vec<Diagnostic>> {
        let mut diags = self.diagnostics();
        if diags.iter().any(Diagnostic::is_error) {
            diagnostic::sort(&mut diags);
            return Err(diags);
        }
        let (Some(site), Some(templates)) = (self.site.as_mut(), self.templates.as_mut()) else {
            return self.rebuild();
        };
        for &i in indices {
            let path = &site.reports[i].path;
            if let Some(report) = self.docs.get(path).and_then(|e| e.report.clone()) {
                site.reports[i] = report;
            }
        }
        let site_static = static_names(&self.inputs.static_assets);
        let fresh = Mutex::new(Vec::new());
        let sink = collect_into(&fresh);
        let result = render::render_reports(
            site,
            templates,
            &site_static,
            &mut self.memo,
            indices,
            &sink,
        );
        let rendered = result.inspect_err(|found| diags.extend(found.iter().cloned()));
        let Ok(rendered) = rendered else {
            diagnostic::sort(&mut diags);
            return Err(diags);
        };
        for file in std::mem::take(&mut *lock(&fresh)) {
            self.output.files.insert(file.path, file.bytes.into());
        }
        Ok(Rebuild::done(rendered.written, diags))
    }

    /// Every diagnostic of the site's files as last read.
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.inputs
            .diagnostics
            .iter()
            .chain(&self.inputs.template_diagnostics)
            .chain(self.intro.iter().flat_map(|e| &e.diagnostics))
            .chain(
                self.docs
                    .values()
                    .filter(|e| self.drafts || !e.draft)
                    .flat_map(|e| &e.diagnostics),
            )
            .cloned()
            .collect()
    }

    /// Renders what changed into the output, if there are no errors.
    pub fn rebuild(&mut self) -> Result<Rebuild, Vec<Diagnostic>> {
        let mut diags = self.diagnostics();
        let reports: Vec<Arc<Report>> = self
            .docs
            .values()
            .filter_map(|e| e.report.clone())
            .collect();
        let bibliography = memo::key(&self.inputs.sources_text);
        let mut config = self.inputs.config.clone();
        config.search &= self.search;
        let (site, found) = site::build(
            config,
            self.intro_html.clone(),
            reports,
            self.drafts,
            bibliography,
        );
        diags.extend(found);
        let Some(templates) = self.templates.as_mut() else {
            diagnostic::sort(&mut diags);
            return Err(diags);
        };
        if diags.iter().any(Diagnostic::is_error) {
            diagnostic::sort(&mut diags);
            return Err(diags);
        }
        let site_static = static_names(&self.inputs.static_assets);
        let fresh = Mutex::new(Vec::new());
        let sink = collect_into(&fresh);
        let mut memo = std::mem::take(&mut self.memo);
        let result = render::render(&site, templates, &site_static, &mut memo, &sink);
        let rendered = match result {
            Ok(r) => r,
            Err(found) => {
                self.memo = memo;
                diags.extend(found);
                diagnostic::sort(&mut diags);
                return Err(diags);
            }
        };
        self.memo = memo;
        let page = match site.config.search {
            true => search::page(&site, templates, &search::Filters::of(&site)),
            false => Ok(Vec::new()),
        };
        let page = match page {
            Ok(page) => page,
            Err(d) => {
                // The pages just rendered are not served: render them all
                // next time.
                self.memo = Memo::default();
                diags.push(d);
                diagnostic::sort(&mut diags);
                return Err(diags);
            }
        };
        let fresh = std::mem::take(&mut *lock(&fresh));
        let keep: HashSet<&str> = self.memo.paths().collect();
        self.output
            .files
            .retain(|path, _| keep.contains(path.as_str()));
        for file in fresh.into_iter().chain(page) {
            self.output.files.insert(file.path, file.bytes.into());
        }
        self.output.assets = self
            .content_assets
            .values()
            .chain(&self.inputs.static_assets)
            .map(|a| (a.dest.clone(), a.source.clone()))
            .collect();
        self.positions = site
            .reports
            .iter()
            .enumerate()
            .map(|(i, r)| (r.path.clone(), i))
            .collect();
        self.site = Some(site);
        Ok(Rebuild::done(rendered.written, diags))
    }

    fn compile_templates(&mut self) {
        match Templates::compile(&self.inputs.template_files) {
            Ok(t) => {
                self.templates = Some(t);
            }
            Err(d) => {
                self.templates = None;
                self.inputs.template_diagnostics.extend(d);
            }
        }
    }

    /// Re-reads the content file or folder at `path` (absolute): what is
    /// there now replaces what the cache held at or below it.
    fn reload_content(&mut self, path: &Path) {
        let rel = path.strip_prefix(&self.root).unwrap_or(path).to_path_buf();
        let under = |p: &Path| p.starts_with(&rel);
        self.docs.retain(|p, _| !under(p));
        self.content_assets.retain(|p, _| !under(p));
        if Path::new(INTRO).starts_with(&rel) {
            self.intro = None;
            self.intro_html.clear();
        }
        let mut walk_diags = Vec::new();
        let mut pages = Vec::new();
        let assets =
            content::content_files(&self.root, path, self.outside(), &mut walk_diags, |p| {
                pages.push(p)
            });
        for asset in assets {
            let at = asset
                .source
                .strip_prefix(&self.root)
                .unwrap_or(&asset.source);
            self.content_assets.insert(at.to_path_buf(), asset);
        }
        let globals = site::globals(&self.inputs.sources);
        let loaded: Vec<(PathBuf, Entry, Option<String>)> = pages
            .into_par_iter()
            .map(|page| {
                let (path, loaded) = load::load(&self.root, page, &globals, true);
                match loaded {
                    Loaded::Intro(html) => (path, entry_of(None, false, Vec::new()), Some(html)),
                    Loaded::Report(report, draft, found) => {
                        (path, entry_of(report, draft, found), None)
                    }
                    Loaded::Draft => (path, entry_of(None, true, Vec::new()), None),
                    Loaded::Failed(d) => (path, entry_of(None, false, vec![d]), None),
                }
            })
            .collect();
        for (path, entry, intro) in loaded {
            match intro {
                Some(html) => {
                    self.intro = Some(entry);
                    self.intro_html = html;
                }
                None => {
                    self.docs.insert(path, entry);
                }
            }
        }
        for d in walk_diags {
            self.docs
                .insert(d.path.clone(), entry_of(None, false, vec![d]));
        }
    }

    fn outside(&self) -> bool {
        self.inputs.config.follow_outside_symlinks
    }
}

/// The home page intro, relative to the site root.
const INTRO: &str = "content/_index.md";

fn static_names(assets: &[Asset]) -> Vec<String> {
    assets.iter().map(|a| a.dest.clone()).collect()
}

/// A sink that keeps the rendered files.
fn collect_into(
    fresh: &Mutex<Vec<OutputFile>>,
) -> impl Fn(OutputFile) -> Result<(), Diagnostic> + Sync + '_ {
    move |file| {
        lock(fresh).push(file);
        Ok(())
    }
}

fn entry_of(report: Option<Arc<Report>>, draft: bool, diagnostics: Vec<Diagnostic>) -> Entry {
    Entry {
        report,
        draft,
        diagnostics,
    }
}

fn load_inputs(root: &Path, base_url: Option<&str>) -> Inputs {
    let (input, diagnostics) = content::load_settings(root, base_url);
    let SiteInput {
        config,
        sources,
        sources_text,
        templates,
        assets,
        ..
    } = input;
    Inputs {
        config,
        sources,
        sources_text,
        diagnostics,
        template_files: templates,
        template_diagnostics: Vec::new(),
        static_assets: assets,
    }
}
