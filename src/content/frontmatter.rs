//! Front matter: splitting a report into its YAML header and Markdown body,
//! and parsing the header into typed structs. Unknown keys are errors, so a
//! typo such as `tittle:` never passes silently.

use std::sync::Arc;

use serde::Deserialize;

use super::date::{DayDate, Timestamp};
use super::url::SourceUrl;

/// Largest front matter accepted, in bytes.
pub const MAX_FRONT_MATTER: usize = 1 << 20;

/// A report's front matter as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Required for every page.
    pub title: Option<String>,
    /// Required for reports.
    pub date: Option<Timestamp>,
    /// When the report was last revised.
    pub updated: Option<Timestamp>,
    /// One or two sentences for lists, feeds and previews.
    #[serde(default)]
    pub summary: String,
    /// Who wrote it.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Tags, merged site-wide by slug.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Left out of the site unless `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Overrides the slug taken from the file name.
    pub slug: Option<String>,
    /// A page such as About: no date, not listed, no events.
    #[serde(default)]
    pub standalone: bool,
    /// Sources this report may cite.
    #[serde(default)]
    pub sources: Vec<Arc<Source>>,
    /// Dated events for the timeline.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Handed to templates untouched.
    #[serde(default)]
    pub extra: serde_yaml::Mapping,
}

/// One entry of a bibliography (`sources:` or `sources.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The key citations use.
    pub id: String,
    /// The work's title.
    #[serde(default)]
    pub title: String,
    /// Who published it.
    #[serde(default)]
    pub publisher: String,
    /// Who wrote it.
    #[serde(default)]
    pub author: String,
    /// When it was published, at any precision.
    pub date: Option<DayDate>,
    /// Where it can be read.
    pub url: Option<SourceUrl>,
    /// When the writer read it.
    pub accessed: Option<DayDate>,
    /// An archived copy.
    pub archive: Option<SourceUrl>,
    /// A remark on the source.
    #[serde(default)]
    pub note: String,
}

/// A dated event in a report's front matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// When it happened (or began).
    pub date: DayDate,
    /// When it ended, not before `date`.
    pub end: Option<DayDate>,
    /// What happened.
    pub title: String,
    /// Ids of the sources that back it.
    #[serde(default)]
    pub sources: Vec<String>,
    /// The event's own tags (its report's are added).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A file split into its front matter and body.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences, `None` if the file has no front matter.
    pub yaml: Option<&'a str>,
    /// 1-based line of the file where the YAML starts.
    pub yaml_line: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// Byte offset of the body in the file text.
    pub body_offset: usize,
}

/// Why a file could not be split.
#[derive(Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The opening `---` has no closing `---`.
    Unclosed,
    /// The front matter is larger than [`MAX_FRONT_MATTER`].
    TooLarge,
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

/// Splits `text` (without BOM) at its `---` fences.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let no_front = Split {
        yaml: None,
        yaml_line: 0,
        body: text,
        body_offset: 0,
    };
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if !is_fence(&text[..first_end]) {
        return Ok(no_front);
    }
    let mut offset = first_end;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        let line = &text[offset..end];
        if is_fence(line) || line.trim_end() == "..." {
            if offset - first_end > MAX_FRONT_MATTER {
                return Err(SplitError::TooLarge);
            }
            return Ok(Split {
                yaml: Some(&text[first_end..offset]),
                yaml_line: 2,
                body: &text[end..],
                body_offset: end,
            });
        }
        offset = end;
    }
    Err(SplitError::Unclosed)
}

/// A YAML error at a line and column of the YAML text (1-based).
#[derive(Debug)]
pub struct YamlError {
    /// Line within the YAML, 1-based.
    pub line: usize,
    /// Column, 1-based.
    pub col: usize,
    /// The parser's message, without its position suffix.
    pub message: String,
}

/// Parses YAML into `T`, returning the error with its position.
pub fn parse_yaml<T: for<'de> Deserialize<'de>>(yaml: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(yaml).map_err(|e| {
        let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        let message = strip_positions(&e.to_string());
        if message.contains("recursion limit exceeded") {
            let message =
                "YAML nested too deeply (more than serde_yaml's recursion limit)".to_string();
            return YamlError { line, col, message };
        }
        if message.contains("repetition limit exceeded") {
            let message =
                "YAML aliases expand too far (more than serde_yaml's repetition limit)".to_string();
            return YamlError { line, col, message };
        }
        if let Some(at) = duplicate_key_line(yaml, &message) {
            return YamlError {
                line: at,
                col: 1,
                message,
            };
        }
        YamlError { line, col, message }
    })
}

/// For "duplicate field `x`", the line of the second top-level `x:`
/// (serde_yaml points at the start of the mapping instead).
fn duplicate_key_line(yaml: &str, message: &str) -> Option<usize> {
    let key = message
        .strip_prefix("duplicate field `")?
        .split('`')
        .next()?;
    yaml.lines()
        .enumerate()
        .filter(|(_, l)| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .nth(1)
        .map(|(i, _)| i + 1)
}

/// Removes the parser's own ` at line N column M` phrases: they count
/// from the start of the YAML, not of the file, and the diagnostic already
/// carries the position.
fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n = digits(after);
        match after[n..].strip_prefix(" column ") {
            Some(col) if n > 0 => rest = &col[digits(col)..],
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn parser_positions_are_stripped_from_messages() {
        assert_eq!(
            super::strip_positions(
                "did not find expected ',' or ']' at line 3 column 5, while parsing a flow sequence at line 2 column 7"
            ),
            "did not find expected ',' or ']', while parsing a flow sequence"
        );
        assert_eq!(
            super::strip_positions("no position here"),
            "no position here"
        );
        assert_eq!(super::strip_positions("at line x"), "at line x");
    }

    use super::*;

    #[test]
    fn splits_at_fences() {
        let s = split("---\ntitle: x\n---\nbody\n").unwrap();
        assert_eq!(s.yaml, Some("title: x\n"));
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_offset, 17);
    }

    #[test]
    fn handles_crlf_and_empty_front_matter() {
        let s = split("---\r\ntitle: x\r\n---\r\nbody").unwrap();
        assert_eq!(s.yaml, Some("title: x\r\n"));
        assert_eq!(s.body, "body");
        let s = split("---\n---\n").unwrap();
        assert_eq!(s.yaml, Some(""));
        assert_eq!(s.body, "");
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("# Hello\n").unwrap();
        assert_eq!(s.yaml, None);
        assert_eq!(s.body, "# Hello\n");
        assert_eq!(split("").unwrap().yaml, None);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        assert_eq!(split("---\ntitle: x\n"), Err(SplitError::Unclosed));
    }

    #[test]
    fn yaml_scalars_stay_the_strings_typed() {
        let fm: FrontMatter =
            parse_yaml("title: x\ntags: [no, on, 1.0, 2023, null, true]\n").unwrap();
        assert_eq!(fm.tags, ["no", "on", "1.0", "2023", "null", "true"]);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let e = parse_yaml::<FrontMatter>("title: x\ntittle: y\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 1));
        assert!(
            e.message.starts_with("unknown field `tittle`"),
            "{}",
            e.message
        );
    }
}
