//! One Markdown file of `content/`, parsed: its front matter as typed data,
//! its body, and what is needed to point diagnostics at its lines.

use std::path::PathBuf;

use super::frontmatter::{self, FrontMatter, SplitError};
use super::locate::{self, Step};
use crate::diagnostic::Diagnostic;

/// A parsed content file.
#[derive(Debug)]
pub struct Document {
    /// Path relative to the site root (`content/reports/x.md`).
    pub path: PathBuf,
    /// Folder below `content/`, `/`-separated, empty at the top.
    pub dir: String,
    /// The name that becomes the default slug.
    pub stem: String,
    /// Whether the file is a folder's `index.md` (its assets sit beside it).
    pub is_bundle: bool,
    /// The file's text, without BOM.
    pub text: String,
    /// The front matter (default when the file has none).
    pub front: FrontMatter,
    /// Where the YAML sits in `text`, and the file line it starts on.
    yaml: Option<(usize, usize, usize)>,
    /// Byte offset of the Markdown body in `text`.
    pub body_offset: usize,
    /// Whether the file had a front matter block at all.
    pub has_front_matter: bool,
}

impl Document {
    /// Parses `text`; errors in the front matter come back as diagnostics.
    pub fn parse(
        path: PathBuf,
        dir: String,
        stem: String,
        is_bundle: bool,
        text: String,
    ) -> Result<Document, Diagnostic> {
        let split = match frontmatter::split(&text) {
            Ok(s) => s,
            Err(SplitError::Unclosed) => {
                return Err(Diagnostic::error(
                    &path,
                    1,
                    1,
                    "front matter opened with `---` is never closed by a `---` line",
                )
                .with_source(&text));
            }
            Err(SplitError::TooLarge) => {
                return Err(Diagnostic::error(
                    &path,
                    1,
                    1,
                    format!(
                        "front matter is larger than {} bytes",
                        frontmatter::MAX_FRONT_MATTER
                    ),
                )
                .with_source(&text));
            }
        };
        let (front, yaml) = match split.yaml {
            Some(yaml_text) => {
                let start = yaml_text.as_ptr() as usize - text.as_ptr() as usize;
                let front = parse_front(yaml_text).map_err(|e| {
                    let line = split.yaml_line + e.line - 1;
                    Diagnostic::error(&path, line, e.col, e.message).with_source(&text)
                })?;
                (
                    front,
                    Some((start, start + yaml_text.len(), split.yaml_line)),
                )
            }
            None => (FrontMatter::default(), None),
        };
        let body_offset = split.body_offset;
        Ok(Document {
            path,
            dir,
            stem,
            is_bundle,
            front,
            has_front_matter: yaml.is_some(),
            yaml,
            body_offset,
            text,
        })
    }

    /// Whether this is `content/_index.md`, the home page intro.
    pub fn is_intro(&self) -> bool {
        self.stem == "_index" && self.dir.is_empty()
    }

    /// The Markdown body.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// File line and column of the front matter value at `path`, or of the
    /// opening fence when it cannot be found.
    pub fn position_of(&self, path: &[Step]) -> (usize, usize) {
        let Some((start, end, first_line)) = self.yaml else {
            return (1, 1);
        };
        match locate::locate(&self.text[start..end], path) {
            Some((line, col)) => (first_line + line - 1, col),
            None => (1, 1),
        }
    }

    /// File line and column of byte `offset` of the body.
    pub fn position_in_body(&self, offset: usize) -> (usize, usize) {
        let mut at = (self.body_offset + offset).min(self.text.len());
        // An offset inside a character counts as that character's start.
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// An error at the front matter value at `path`.
    pub fn error_at(&self, path: &[Step], message: impl Into<String>) -> Diagnostic {
        let (line, col) = self.position_of(path);
        Diagnostic::error(&self.path, line, col, message).with_source(&self.text)
    }

    /// A warning at the front matter value at `path`.
    pub fn warning_at(&self, path: &[Step], message: impl Into<String>) -> Diagnostic {
        let (line, col) = self.position_of(path);
        Diagnostic::warning(&self.path, line, col, message).with_source(&self.text)
    }
}

fn parse_front(yaml: &str) -> Result<FrontMatter, frontmatter::YamlError> {
    if yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    frontmatter::parse_yaml(yaml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_inside_a_character_round_down() {
        let text = "---\ntitle: x\n---\nAé b\n".to_string();
        let doc = Document::parse("a.md".into(), String::new(), "a".into(), false, text).unwrap();
        assert_eq!(doc.position_in_body(2), (4, 2));
        assert_eq!(doc.position_in_body(3), (4, 3));
    }
}
