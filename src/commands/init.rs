//! `annalist init [DIR]`: a new site that builds, with the built-in
//! templates and static files copied in to be customised.

use std::fs;
use std::path::Path;

use super::Outcome;
use super::new::skeleton;
use crate::cli::InitArgs;
use crate::diagnostic::Diagnostic;
use crate::render::{STATIC, templates::BUILT_IN};

const SITE_YAML: &str = "title: \"My reports\"
description: \"Annotated reports in which every claim links to its source.\"
author: \"\"
language: en
# base_url: https://example.com/reports/
";

const INTRO: &str = "Reports in which every claim links to its source.\n";

/// Creates the site, refusing a folder that already holds one.
pub fn run(args: &InitArgs) -> Outcome {
    let dir = &args.dir;
    let fail = |message: String| Outcome {
        diagnostics: vec![Diagnostic::error(dir, 0, 0, message)],
        summary: None,
    };
    for existing in ["site.yaml", "content", "templates", "static"] {
        if dir.join(existing).exists() {
            return fail(format!(
                "{} already exists; init makes a new site only",
                dir.join(existing).display()
            ));
        }
    }
    match write_site(dir) {
        Ok(()) => Outcome {
            diagnostics: Vec::new(),
            summary: Some(format!(
                "created a new site in {}; build it with `annalist build --root {}`",
                dir.display(),
                dir.display()
            )),
        },
        Err(e) => fail(format!("cannot create the site: {e}")),
    }
}

fn write_site(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir.join("content/reports"))?;
    fs::create_dir_all(dir.join("templates"))?;
    fs::create_dir_all(dir.join("static"))?;
    fs::write(dir.join("site.yaml"), SITE_YAML)?;
    fs::write(dir.join("content/_index.md"), INTRO)?;
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let report = skeleton("My first report", &today);
    fs::write(dir.join("content/reports/my-first-report.md"), report)?;
    for (name, text) in BUILT_IN {
        fs::write(dir.join("templates").join(name), text)?;
    }
    for (name, bytes) in STATIC {
        fs::write(dir.join("static").join(name), bytes)?;
    }
    Ok(())
}
