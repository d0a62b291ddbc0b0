//! Source links: only `http(s)` URLs and relative paths are allowed, so
//! nothing a report cites can run script or smuggle data into a page.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

/// A checked `url` or `archive` of a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUrl(pub String);

/// Checks that `text` is an http(s) URL or a relative path.
pub fn check(text: &str) -> Result<(), String> {
    let refuse = |why: &str| Err(format!("`{text}` is not allowed as a source link: {why}"));
    if text.is_empty() {
        return refuse("it is empty");
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("it contains white space or control characters");
    }
    if text.contains('\\') {
        return refuse("it contains a backslash");
    }
    let scheme_end = text.find(':').filter(|&i| {
        let scheme = &text[..i];
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    match scheme_end {
        Some(i) => {
            let scheme = text[..i].to_ascii_lowercase();
            if scheme != "http" && scheme != "https" {
                return refuse("only http and https links or relative paths are allowed");
            }
            if !text[i + 1..].starts_with("//") || text.len() <= i + 3 {
                return refuse("an http(s) link needs a host");
            }
            Ok(())
        }
        None if text.starts_with("//") => refuse("protocol-relative links are not allowed"),
        None => Ok(()),
    }
}

/// Checks inside the scalar's visit so the error carries its position.
struct UrlVisitor;

impl Visitor<'_> for UrlVisitor {
    type Value = SourceUrl;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an http(s) URL or a relative path")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<SourceUrl, E> {
        check(text).map_err(E::custom)?;
        Ok(SourceUrl(text.to_string()))
    }
}

impl<'de> Deserialize<'de> for SourceUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(UrlVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn allows_http_and_relative() {
        for ok in [
            "https://example.com/a?b=c#d",
            "http://example.com",
            "HTTPS://EXAMPLE.COM/",
            "files/report.pdf",
            "/docs/x.pdf",
            "../x.pdf",
            "docs/page:2",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_scripts_data_and_tricks() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>",
            "vbscript:x",
            "//evil.example/x",
            "https:evil",
            "https:\\\\evil",
            "file:///etc/passwd",
            "",
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
    }
}
