//! `annalist build`: the pipeline, then the output stage.

use std::time::Instant;

use super::{Outcome, pipeline};
use crate::cli::BuildArgs;
use crate::diagnostic::Diagnostic;
use crate::output;

/// Builds the site and writes it, unless anything is wrong.
pub fn run(args: &BuildArgs) -> Outcome {
    let started = Instant::now();
    let root = &args.site.root;
    let out = args.output.clone().unwrap_or_else(|| root.join("public"));
    if let Err(message) = output::check_target(root, &out) {
        return Outcome {
            diagnostics: vec![Diagnostic::error(&out, 0, 0, message)],
            summary: None,
        };
    }
    let (built, mut diagnostics) = pipeline::run(root, args.base_url.as_deref(), args.site.drafts);
    let Some(built) = built else {
        return Outcome {
            diagnostics,
            summary: Some("build failed; the previous output is untouched".to_string()),
        };
    };
    if let Err(e) = output::write(&out, &built.files, &built.assets) {
        diagnostics.push(Diagnostic::error(
            &out,
            0,
            0,
            format!("cannot write the site: {e}"),
        ));
        return Outcome {
            diagnostics,
            summary: Some("build failed; the previous output is untouched".to_string()),
        };
    }
    let summary = format!(
        "built {} reports, {} pages and {} files into {} in {} ms",
        built.site.reports.len(),
        built.site.pages.len(),
        built.files.len() + built.assets.len(),
        out.display(),
        started.elapsed().as_millis()
    );
    Outcome {
        diagnostics,
        summary: Some(summary),
    }
}
