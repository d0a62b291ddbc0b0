//! The Tera templates: the built-in set compiled into the binary, with a
//! site's own `templates/NAME` replacing a built-in one by name (or adding
//! a new one to include). Autoescaping is on for every `.html` and `.xml`
//! template, and templates see only the context they are given.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::{ErrorKind, Tera};

use crate::content::TemplateFile;
use crate::diagnostic::Diagnostic;

/// The built-in templates, by name.
pub const BUILT_IN: [(&str, &str); 16] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("report.html", include_str!("../../templates/report.html")),
    ("page.html", include_str!("../../templates/page.html")),
    (
        "pagination.html",
        include_str!("../../templates/pagination.html"),
    ),
    (
        "references.html",
        include_str!("../../templates/references.html"),
    ),
    ("tags.html", include_str!("../../templates/tags.html")),
    ("tag.html", include_str!("../../templates/tag.html")),
    (
        "timeline.html",
        include_str!("../../templates/timeline.html"),
    ),
    (
        "timeline_events.html",
        include_str!("../../templates/timeline_events.html"),
    ),
    (
        "timeline_years.html",
        include_str!("../../templates/timeline_years.html"),
    ),
    ("sources.html", include_str!("../../templates/sources.html")),
    (
        "source_list.html",
        include_str!("../../templates/source_list.html"),
    ),
    ("404.html", include_str!("../../templates/404.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
];

/// The compiled templates, with their sources for error messages.
pub struct Templates {
    /// The Tera instance.
    pub tera: Tera,
    files: BTreeMap<String, (PathBuf, String)>,
    /// A hash of every template's text: pages rendered with other
    /// templates must be rendered again.
    pub generation: u64,
}

impl Templates {
    /// Compiles the built-in templates with the site's overrides.
    pub fn compile(overrides: &[TemplateFile]) -> Result<Self, Vec<Diagnostic>> {
        let mut files: BTreeMap<String, (PathBuf, String)> = BUILT_IN
            .iter()
            .map(|(name, text)| {
                let path = Path::new("(built-in templates)").join(name);
                (name.to_string(), (path, text.to_string()))
            })
            .collect();
        for t in overrides {
            files.insert(t.name.clone(), (t.path.clone(), t.text.clone()));
        }
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".xml", ".htm"]);
        let pairs = files.iter().map(|(n, (_, t))| (n.as_str(), t.as_str()));
        let mut templates = Templates {
            tera: Tera::new(),
            generation: super::memo::key(&files),
            files: BTreeMap::new(),
        };
        if let Err(e) = tera.add_raw_templates(pairs) {
            templates.files = files;
            return Err(templates.errors(&e));
        }
        templates.tera = tera;
        templates.files = files;
        Ok(templates)
    }

    /// Whether template `name` is the built-in one, or a copy of it.
    pub fn is_built_in(&self, name: &str) -> bool {
        let built_in = BUILT_IN.iter().find(|(n, _)| *n == name);
        match (self.files.get(name), built_in) {
            (Some((_, text)), Some((_, original))) => text == original,
            _ => false,
        }
    }

    /// Renders template `name`; a failure points at the template's line.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<Vec<u8>, Diagnostic> {
        self.render_sized(name, context, 0)
    }

    /// Renders into a buffer made for about `size` bytes, so that a page of
    /// many megabytes is not copied over and over as it grows. The bytes
    /// are UTF-8: templates and values are text.
    pub fn render_sized(
        &self,
        name: &str,
        context: &tera::Context,
        size: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(size);
        self.tera
            .render_to(name, context, &mut out)
            .map_err(|e| self.error(&e))?;
        Ok(out)
    }

    /// Turns a Tera error into a diagnostic pointing into the template file.
    pub fn error(&self, error: &tera::Error) -> Diagnostic {
        self.errors(error).swap_remove(0)
    }

    /// Every diagnostic in a Tera error: validation errors (an unknown
    /// function or filter) come as several reports in one message.
    pub fn errors(&self, error: &tera::Error) -> Vec<Diagnostic> {
        match error.kind() {
            ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
                let span = r.span();
                vec![self.at(
                    r.filename(),
                    span.start_line,
                    span.start_col + 1,
                    r.message(),
                )]
            }
            ErrorKind::Msg(text) => {
                let found = reports_in(text)
                    .into_iter()
                    .map(|(name, line, col, message)| self.at(name, line, col, message))
                    .collect::<Vec<_>>();
                if found.is_empty() {
                    vec![self.whole(error)]
                } else {
                    found
                }
            }
            _ => vec![self.whole(error)],
        }
    }

    fn at(&self, name: &str, line: usize, col: usize, message: &str) -> Diagnostic {
        let message = format!("template error: {message}");
        match self.files.get(name) {
            Some((path, text)) => Diagnostic::error(path, line, col, message).with_source(text),
            None => Diagnostic::error(&Path::new("templates").join(name), line, col, message),
        }
    }

    fn whole(&self, error: &tera::Error) -> Diagnostic {
        let message = format!("template error: {}", flatten(error));
        Diagnostic::error(Path::new("templates"), 0, 0, message)
    }
}

/// The `(template, line, column, message)` of each report Tera rendered
/// into a message: `error: MESSAGE` followed by ` --> NAME:LINE:COL`.
fn reports_in(text: &str) -> Vec<(&str, usize, usize, &str)> {
    let mut found = Vec::new();
    let mut message = None;
    for line in text.lines() {
        if let Some(m) = line.trim_start().strip_prefix("error: ") {
            message = Some(m.trim());
        } else if let Some(at) = line.trim_start().strip_prefix("--> ") {
            let mut parts = at.rsplitn(3, ':');
            let col = parts.next().and_then(|c| c.trim().parse().ok());
            let row = parts.next().and_then(|l| l.trim().parse().ok());
            if let (Some(col), Some(row), Some(name), Some(m)) = (col, row, parts.next(), message) {
                found.push((name.trim(), row, col, m));
            }
        }
    }
    found
}

fn flatten(error: &tera::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_point_at_their_template() {
        let user = TemplateFile {
            name: "report.html".to_string(),
            path: Path::new("templates/report.html").to_path_buf(),
            text: "{% extends \"base.html\" %}{% block main %}{{ get_env(name=\"HOME\") }}{{ x | nope }}{% endblock main %}".to_string(),
        };
        let Err(diags) = Templates::compile(&[user]) else {
            panic!("an unknown function must not compile");
        };
        let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|t| t.starts_with(
                "templates/report.html:1:45: error: template error: Unknown function `get_env`"
            )),
            "{text:#?}"
        );
        assert!(text.iter().any(|t| t.contains("nope")), "{text:#?}");
    }
}
