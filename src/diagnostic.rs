//! Diagnostics: errors and warnings about a site's files, kept as data
//! (path, line, column, severity, message) and rendered in the
//! `path:line:col: error: message` form with the offending line and a caret.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is: errors fail the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Fails the build (exit 1).
    Error,
    /// Reported, but the build still succeeds.
    Warning,
}

/// One problem found in a site's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, relative to the site root where possible.
    pub path: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub col: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The text of the offending line, shown under the message.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error at `line:col` of `path`.
    pub fn error(path: &Path, line: usize, col: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_path_buf(),
            line,
            col,
            severity: Severity::Error,
            message: message.into(),
            source_line: None,
        }
    }

    /// A warning at `line:col` of `path`.
    pub fn warning(path: &Path, line: usize, col: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, col, message)
        }
    }

    /// Attaches the offending line, taken from the file's full text.
    pub fn with_source(mut self, text: &str) -> Self {
        if self.line > 0 {
            self.source_line = text
                .lines()
                .nth(self.line - 1)
                .map(|l| l.trim_end_matches('\r').to_string());
        }
        self
    }

    /// Whether this diagnostic fails the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let path = self.path.display();
        match (self.line, self.col) {
            (0, _) => write!(f, "{path}: {kind}: {}", self.message)?,
            (line, 0) => write!(f, "{path}:{line}: {kind}: {}", self.message)?,
            (line, col) => write!(f, "{path}:{line}:{col}: {kind}: {}", self.message)?,
        }
        if let Some(src) = &self.source_line {
            let (shown, col) = window(src, self.col);
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            write!(f, "\n{pad} |\n{number} | {shown}")?;
            if col > 0 {
                let before: String = shown
                    .chars()
                    .take(col - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n{pad} | {before}^")?;
            }
        }
        Ok(())
    }
}

/// Longest source line shown whole; longer ones are cut around the column.
const MAX_SHOWN: usize = 120;

/// The part of `line` to show, and the column within it.
fn window(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_SHOWN {
        return (line.to_string(), col);
    }
    let start = col
        .saturating_sub(MAX_SHOWN / 2)
        .min(chars.len() - MAX_SHOWN);
    let end = start + MAX_SHOWN;
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    let col = if col == 0 {
        0
    } else {
        col - start + usize::from(start > 0)
    };
    (shown, col)
}

/// Sorts diagnostics by file and position so output is stable whatever
/// order the parallel stages found them in.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.path, a.line, a.col, a.severity, &a.message)
            .cmp(&(&b.path, b.line, b.col, b.severity, &b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_line_and_caret() {
        let d = Diagnostic::error(Path::new("a.md"), 2, 3, "bad").with_source("x\nab@cd\n");
        assert_eq!(
            d.to_string(),
            "a.md:2:3: error: bad\n  |\n2 | ab@cd\n  |   ^"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let d = Diagnostic::error(Path::new("a.md"), 1, 501, "bad").with_source(&line);
        let text = d.to_string();
        let shown = text.lines().nth(2).unwrap();
        let caret = text.lines().nth(3).unwrap();
        assert!(shown.chars().count() < 140, "{shown}");
        assert_eq!(shown.chars().nth(caret.chars().count() - 1), Some('X'));
    }

    #[test]
    fn whole_file_has_no_position() {
        let d = Diagnostic::warning(Path::new("a.md"), 0, 0, "empty");
        assert_eq!(d.to_string(), "a.md: warning: empty");
    }
}
