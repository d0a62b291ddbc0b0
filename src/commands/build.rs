//! `annalist build`: the pipeline, streaming pages into the output stage,
//! which replaces the previous site only when everything succeeded.

use std::path::Path;
use std::time::Instant;

use super::{Outcome, pipeline};
use crate::cli::BuildArgs;
use crate::diagnostic::Diagnostic;
use crate::output::{self, CommitError, Stage};

const FAILED: &str = "build failed; the previous output is untouched";
const PARTLY: &str =
    "build failed while updating the output: it may hold old and new files until a build succeeds";

/// Builds the site and writes it, unless anything is wrong.
pub fn run(args: &BuildArgs) -> Outcome {
    let started = Instant::now();
    let root = &args.site.root;
    let out = args.output.clone().unwrap_or_else(|| root.join("public"));
    let fail = |diagnostics: Vec<Diagnostic>| Outcome {
        diagnostics,
        summary: Some(FAILED.to_string()),
    };
    if let Err(message) = output::check_target(root, &out) {
        return fail(vec![Diagnostic::error(&out, 0, 0, message)]);
    }
    if args.watch {
        let base_url = args.base_url.as_deref();
        let search = !args.no_search;
        let result = crate::serve::watch_build(root, &out, args.site.drafts, base_url, search);
        let message = result.err().unwrap_or_default();
        return fail(vec![Diagnostic::error(&out, 0, 0, message)]);
    }
    let stage = match Stage::update(&out) {
        Ok(stage) => stage,
        Err(e) => return fail(vec![write_error(&out, &e)]),
    };
    let sink = |file: crate::render::OutputFile| {
        stage
            .write(&file)
            .map_err(|e| write_error(Path::new(&file.path), &e))
    };
    let extras = pipeline::Extras {
        drafts: args.site.drafts,
        search: !args.no_search,
    };
    let (built, mut diagnostics) = pipeline::run(root, args.base_url.as_deref(), extras, &sink);
    let Some(built) = built else {
        return fail(diagnostics);
    };
    if let Err(e) = stage.copy(&built.assets) {
        diagnostics.push(write_error(&out, &e));
        return fail(diagnostics);
    }
    match stage.commit() {
        Ok(()) => {}
        Err(CommitError::Before(e)) => {
            diagnostics.push(write_error(&out, &e));
            return fail(diagnostics);
        }
        Err(CommitError::During(e)) => {
            diagnostics.push(write_error(&out, &e));
            return Outcome {
                diagnostics,
                summary: Some(PARTLY.to_string()),
            };
        }
        Err(e @ CommitError::After(_)) => {
            diagnostics.push(Diagnostic::warning(&out, 0, 0, e.to_string()))
        }
    }
    let summary = format!(
        "built {} reports and {} pages ({} files) into {} in {} ms",
        built.site.reports.len(),
        built.site.pages.len(),
        built.files + built.assets.len(),
        out.display(),
        started.elapsed().as_millis()
    );
    // The process ends right after this: freeing the whole model piece by
    // piece would only cost time.
    std::mem::forget(built);
    Outcome {
        diagnostics,
        summary: Some(summary),
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(path, 0, 0, format!("cannot write the site: {e}"))
}
