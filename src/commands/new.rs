//! `annalist new PATH`: a report with its front matter skeleton.

use std::fs;
use std::io::Write;

use super::Outcome;
use crate::cli::NewArgs;
use crate::diagnostic::Diagnostic;

/// Writes the skeleton, refusing to overwrite an existing file.
pub fn run(args: &NewArgs) -> Outcome {
    let path = &args.path;
    let fail = |message: String| Outcome {
        diagnostics: vec![Diagnostic::error(path, 0, 0, message)],
        summary: None,
    };
    if path.extension().is_none_or(|e| e != "md") {
        return fail("a report's file name must end in .md".to_string());
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let title = args.title.clone().unwrap_or_else(|| title_from(&stem));
    let today = chrono::Local::now().format("%Y-%m-%d");
    let text = skeleton(&title, &today.to_string());
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Err(e) = fs::create_dir_all(parent)
    {
        return fail(format!("cannot create its folder: {e}"));
    }
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path);
    match file.and_then(|mut f| f.write_all(text.as_bytes())) {
        Ok(()) => Outcome {
            diagnostics: Vec::new(),
            summary: Some(format!("created {}", path.display())),
        },
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            fail("file already exists; not overwriting it".to_string())
        }
        Err(e) => fail(format!("cannot write the file: {e}")),
    }
}

fn title_from(stem: &str) -> String {
    let words = stem.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Untitled report".to_string(),
    }
}

/// The front matter and body of a new report.
pub fn skeleton(title: &str, date: &str) -> String {
    let title = serde_yaml::to_string(title).unwrap_or_else(|_| format!("{title:?}\n"));
    format!(
        "---
title: {title}date: {date}
summary: \"\"
authors: []
tags: []
draft: false
sources:
  - id: example-source
    title: \"Title of the article or document\"
    publisher: \"Publisher\"
    date: {date}
    url: https://example.com/
events: []
---

Write the report here. Cite a source like this [@example-source].
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_file_names() {
        assert_eq!(title_from("china-cnc_tools"), "China cnc tools");
        assert_eq!(title_from(""), "Untitled report");
    }

    #[test]
    fn skeleton_quotes_awkward_titles() {
        let text = skeleton("A: \"quoted\" title", "2024-01-02");
        let yaml = text.split("---").nth(1).unwrap();
        let fm: crate::content::frontmatter::FrontMatter = serde_yaml::from_str(yaml).unwrap();
        assert_eq!(fm.title.as_deref(), Some("A: \"quoted\" title"));
    }
}
