//! `annalist serve`: hands the options to the dev server, which runs until
//! interrupted.

use super::Outcome;
use crate::cli::ServeArgs;
use crate::diagnostic::Diagnostic;
use crate::serve;

/// Serves the site; returns only if the server cannot start.
pub fn run(args: &ServeArgs) -> Outcome {
    let options = serve::Options {
        root: args.site.root.clone(),
        bind: args.bind,
        port: args.port,
        drafts: args.site.drafts,
        search: !args.no_search,
    };
    match serve::run(&options) {
        Ok(()) => Outcome::default(),
        Err(message) => Outcome {
            diagnostics: vec![Diagnostic::error(&args.site.root, 0, 0, message)],
            summary: None,
        },
    }
}
