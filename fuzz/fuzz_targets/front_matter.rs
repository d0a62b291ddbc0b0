//! Front matter: splitting a file at its `---` fences, parsing the YAML
//! into `FrontMatter`, and pointing diagnostics at values inside it.
//! Checks only that nothing panics or hangs, plus the invariants `split`
//! documents (the body is the text from `body_offset` on, the YAML lies
//! inside the text).

#![no_main]

use std::path::PathBuf;
use std::sync::Arc;

use annalist::content::Document;
use annalist::content::frontmatter::{FrontMatter, Source, parse_yaml, split};
use annalist::content::locate::Step::{Index, Key};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The loader removes a BOM before parsing; do the same.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);

    if let Ok(s) = split(text) {
        assert_eq!(&text[s.body_offset..], s.body);
        if let Some(yaml) = s.yaml {
            let start = yaml.as_ptr() as usize - text.as_ptr() as usize;
            assert!(start + yaml.len() <= s.body_offset);
            let _ = parse_yaml::<FrontMatter>(yaml).map_err(|e| e.message.len());
        }
    }
    // The same YAML parser reads `sources.yaml`.
    let _ = parse_yaml::<Vec<Arc<Source>>>(text).map_err(|e| e.message.len());

    let doc = Document::parse(
        PathBuf::from("content/reports/fuzz.md"),
        "reports".to_string(),
        "fuzz".to_string(),
        false,
        text.to_string(),
    );
    match doc {
        Err(diag) => {
            let _ = diag.to_string();
        }
        Ok(doc) => {
            let paths: [&[_]; 8] = [
                &[Key("title")],
                &[Key("slug")],
                &[Key("tags"), Index(1)],
                &[Key("sources"), Index(0), Key("id")],
                &[Key("sources"), Index(1), Key("url")],
                &[Key("events"), Index(0), Key("end")],
                &[Key("events"), Index(2), Key("sources"), Index(1)],
                &[Key("extra"), Key("a"), Index(0)],
            ];
            for path in paths {
                let (line, col) = doc.position_of(path);
                let _ = doc.error_at(path, "fuzz").to_string();
                assert!(line >= 1 && col >= 1, "{line}:{col}");
            }
            // Callers pass the offset of a character (a citation's `@`).
            let body = doc.body();
            for (offset, _) in body.char_indices().step_by(7).take(16) {
                let _ = doc.position_in_body(offset);
            }
            let _ = doc.position_in_body(body.len());
        }
    }
});
