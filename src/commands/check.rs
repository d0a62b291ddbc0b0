//! `annalist check`: the whole pipeline, every error and warning, no output.

use super::{Outcome, pipeline};
use crate::cli::SiteArgs;

/// Checks the site without writing anything.
pub fn run(args: &SiteArgs) -> Outcome {
    let (built, diagnostics) = pipeline::run(&args.root, None, args.drafts, &|_| Ok(()));
    let summary = built.map(|b| {
        let line = format!(
            "checked {} reports and {} pages: no errors",
            b.site.reports.len(),
            b.site.pages.len()
        );
        std::mem::forget(b);
        line
    });
    Outcome {
        diagnostics,
        summary,
    }
}
