//! `annalist publish`: a production build (absolute URLs from `base_url`,
//! assets named by their content) staged beside its target, the link
//! checker over it, then the deploy: a folder replaced whole, or one commit
//! on a git branch. A site with any error deploys nothing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{Outcome, pipeline};
use crate::cli::PublishArgs;
use crate::diagnostic::{self, Diagnostic};
use crate::output::{CommitError, Stage};
use crate::publish::git::{self, Repo};
use crate::publish::links::{self, Links};
use crate::publish::{Changes, Target, dir};
use crate::render::{OutputFile, Profile};

/// Builds, checks and deploys the site.
pub fn run(args: &PublishArgs) -> Outcome {
    if let Err(usage) = args.check() {
        usage.exit();
    }
    let started = Instant::now();
    let target = &args.to;
    let fail = |diagnostics: Vec<Diagnostic>| Outcome {
        diagnostics,
        summary: Some(format!("nothing was published to {target}")),
    };
    let error = |message: String| {
        vec![Diagnostic::error(
            Path::new(&target.to_string()),
            0,
            0,
            message,
        )]
    };
    let place = match prepare(args) {
        Ok(place) => place,
        Err(message) => return fail(error(message)),
    };
    let (mut diagnostics, files) = build(args, &place.stage);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return fail(diagnostics);
    }
    let deployed = match (&place.repo, target) {
        (Some(repo), Target::Git(branch)) => to_git(args, repo, branch, &place),
        (_, Target::Dir(path)) => to_dir(args, path, place.stage),
        _ => Err("no repository for a git target".to_string()),
    };
    match deployed {
        Ok((changes, what)) => {
            if args.dry_run {
                for line in changes.lines() {
                    println!("{line}");
                }
            }
            let summary = format!(
                "{what} ({files} files: {}) in {} ms",
                changes.counts(),
                started.elapsed().as_millis()
            );
            Outcome {
                diagnostics,
                summary: Some(summary),
            }
        }
        Err(message) => {
            diagnostics.extend(error(message));
            fail(diagnostics)
        }
    }
}

/// Where the site is staged, and the repository for a git target.
struct Place {
    stage: Stage,
    repo: Option<Repo>,
    /// A folder of our own, removed at the end (git targets only).
    scratch: Option<Scratch>,
}

/// Checks the target and makes the staging folder: beside the folder for
/// `dir:`, in a temporary folder for `git:`.
fn prepare(args: &PublishArgs) -> Result<Place, String> {
    let root = &args.site.root;
    let cannot = |e: std::io::Error| format!("cannot stage the site: {e}");
    match &args.to {
        Target::Dir(path) => {
            dir::check_target(root, path)?;
            Ok(Place {
                stage: Stage::create(path).map_err(cannot)?,
                repo: None,
                scratch: None,
            })
        }
        Target::Git(branch) => {
            let repo = Repo::find(root)?;
            repo.refuse_checked_out(branch)?;
            let scratch = Scratch::create().map_err(cannot)?;
            Ok(Place {
                stage: Stage::create(&scratch.0.join("site")).map_err(cannot)?,
                repo: Some(repo),
                scratch: Some(scratch),
            })
        }
    }
}

/// The production build into `stage`, and the link checker over it;
/// returns every diagnostic and the number of files.
fn build(args: &PublishArgs, stage: &Stage) -> (Vec<Diagnostic>, usize) {
    let root = &args.site.root;
    let found = Links::default();
    let sink = |file: OutputFile| {
        found.add(&file.path, &file.bytes);
        stage
            .write(&file)
            .map_err(|e| write_error(Path::new(&file.path), &e))
    };
    let (built, mut diagnostics) = pipeline::run_as(
        Profile::Production { site: Vec::new() },
        root,
        None,
        pipeline::Extras {
            drafts: args.site.drafts,
            search: !args.no_search,
        },
        &sink,
    );
    let Some(built) = built else {
        return (diagnostics, 0);
    };
    if built.site.config.base_url.is_none() {
        diagnostics.push(Diagnostic::error(
            Path::new("site.yaml"),
            0,
            0,
            "publish needs `base_url`, the absolute URL the site will be served from: \
             add a line such as `base_url: https://example.com/reports/` to site.yaml",
        ));
    }
    diagnostics.extend(links::check_site(found, &built.site, &built.assets));
    diagnostic::sort(&mut diagnostics);
    if let Err(e) = stage.copy(&built.assets) {
        diagnostics.push(write_error(stage.dir(), &e));
    }
    let mut files = built.files + built.assets.len();
    if let (Target::Git(_), false) = (&args.to, diagnostics.iter().any(Diagnostic::is_error)) {
        for file in pages_files(&built.site.config.domain) {
            files += 1;
            if let Err(e) = stage.write(&file) {
                diagnostics.push(write_error(Path::new(&file.path), &e));
            }
        }
    }
    std::mem::forget(built);
    (diagnostics, files)
}

/// `.nojekyll` (GitHub Pages serves the files as they are) and, when
/// site.yaml names a `domain`, `CNAME`.
fn pages_files(domain: &Option<String>) -> Vec<OutputFile> {
    let mut files = vec![OutputFile {
        path: ".nojekyll".to_string(),
        bytes: Vec::new(),
    }];
    if let Some(domain) = domain.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        files.push(OutputFile {
            path: "CNAME".to_string(),
            bytes: format!("{domain}\n").into_bytes(),
        });
    }
    files
}

/// Replaces the folder with the staged site (unless this is a dry run).
fn to_dir(args: &PublishArgs, path: &Path, stage: Stage) -> Result<(Changes, String), String> {
    let changes = dir::changes(stage.dir(), path)
        .map_err(|e| format!("cannot compare with {}: {e}", path.display()))?;
    if args.dry_run {
        return Ok((
            changes,
            format!("dry run: nothing was published to {}", args.to),
        ));
    }
    let published = format!("published to {}", args.to);
    match stage.commit() {
        Ok(()) => Ok((changes, published)),
        Err(e @ CommitError::After(_)) => Ok((changes, format!("{published} ({e})"))),
        Err(e) => Err(format!("cannot put the site in place: {e}")),
    }
}

/// Commits the staged site to the branch and pushes it when asked.
fn to_git(
    args: &PublishArgs,
    repo: &Repo,
    branch: &str,
    place: &Place,
) -> Result<(Changes, String), String> {
    let scratch = place
        .scratch
        .as_ref()
        .map_or(Path::new("."), |s| s.0.as_path());
    let published = git::publish(
        repo,
        branch,
        args.push.as_deref(),
        place.stage.dir(),
        scratch,
        args.dry_run,
    )?;
    if args.dry_run {
        let what = format!("dry run: nothing was committed to branch {branch}");
        return Ok((published.changes, what));
    }
    let mut what = match &published.commit {
        Some(commit) => format!("published to branch {branch} as commit {}", short(commit)),
        None => format!("branch {branch} already holds this site: no new commit"),
    };
    if let Some(remote) = &args.push {
        repo.push(remote, branch)
            .map_err(|e| format!("{what}, but pushing it to {remote} failed: {e}"))?;
        what.push_str(&format!(", pushed to {remote}"));
    }
    Ok((published.changes, what))
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

fn write_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(path, 0, 0, format!("cannot write the site: {e}"))
}

/// A temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn create() -> std::io::Result<Scratch> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("annalist-publish-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
