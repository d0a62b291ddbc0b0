//! Slugs for URLs: lowercase, Unicode-aware, letters and digits kept,
//! everything else folded into single hyphens (`Dual-use goods` ->
//! `dual-use-goods`, `Україна` -> `україна`).

/// The slug of `text`; empty if it has no letter or digit.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.extend(c.to_lowercase());
        } else if c == '_' && !out.is_empty() {
            pending_dash = false;
            out.push('_');
        } else {
            pending_dash = true;
        }
    }
    out
}

/// Whether `slug` (from front matter) is a single safe path segment.
pub fn is_safe_segment(slug: &str) -> bool {
    !slug.is_empty()
        && slug != "."
        && slug != ".."
        && !slug.starts_with('.')
        && !slug.chars().any(|c| {
            matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control()
        })
}

/// Whether `segment` is a name Windows reserves for devices (`con`,
/// `nul`, `com1`, ...), which cannot be a file or folder there.
pub fn is_windows_reserved(segment: &str) -> bool {
    let stem = segment.split('.').next().unwrap_or("").to_ascii_lowercase();
    matches!(stem.as_str(), "con" | "prn" | "aux" | "nul")
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0')
}

#[cfg(test)]
mod tests {
    #[test]
    fn windows_reserved_names() {
        for name in ["con", "CON", "nul", "aux.md", "com1", "LPT9", "prn"] {
            assert!(super::is_windows_reserved(name), "{name}");
        }
        for name in ["console", "com0", "com10", "nullify", "reports"] {
            assert!(!super::is_windows_reserved(name), "{name}");
        }
    }

    use super::*;

    #[test]
    fn slug_table() {
        let cases = [
            ("Dual-use goods", "dual-use-goods"),
            ("Україна", "україна"),
            ("CNC machine tools", "cnc-machine-tools"),
            ("  China / Russia  ", "china-russia"),
            ("EU's 12th package", "eu-s-12th-package"),
            ("snake_case", "snake_case"),
            ("???", ""),
            ("ÉTUDE", "étude"),
        ];
        for (input, slug) in cases {
            assert_eq!(slugify(input), slug, "{input}");
        }
    }

    #[test]
    fn unsafe_segments() {
        for bad in ["", "..", "../x", "/abs", "a/b", "a\\b", ".hidden", "con:x"] {
            assert!(!is_safe_segment(bad), "{bad}");
        }
        assert!(is_safe_segment("china-support"));
    }
}
