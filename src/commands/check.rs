//! `annalist check`: the whole pipeline, every error and warning, and the
//! link checker over the pages it rendered; writes nothing.

use super::{Outcome, pipeline};
use crate::cli::SiteArgs;
use crate::diagnostic::{self, Diagnostic};
use crate::publish::links::{self, Links};

/// Checks the site without writing anything.
pub fn run(args: &SiteArgs) -> Outcome {
    let found = Links::default();
    let sink = |file: crate::render::OutputFile| {
        found.add(&file.path, &file.bytes);
        Ok(())
    };
    let extras = pipeline::Extras {
        drafts: args.drafts,
        search: true,
    };
    let (built, mut diagnostics) = pipeline::run(&args.root, None, extras, &sink);
    let summary = built.and_then(|b| {
        diagnostics.extend(links::check_site(found, &b.site, &b.assets));
        diagnostic::sort(&mut diagnostics);
        let line = format!(
            "checked {} reports and {} pages: no errors",
            b.site.reports.len(),
            b.site.pages.len()
        );
        std::mem::forget(b);
        (!diagnostics.iter().any(Diagnostic::is_error)).then_some(line)
    });
    Outcome {
        diagnostics,
        summary,
    }
}
