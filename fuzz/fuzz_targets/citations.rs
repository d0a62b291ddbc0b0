//! The citation scanner, on its own and inside the Markdown renderer.
//! Checks that nothing panics or hangs, and what `scan` documents about
//! its groups: each spans `[` to `]` of the text, groups come in order
//! without overlapping, and each item's offset is its `@`.

#![no_main]

use std::sync::{Arc, LazyLock};

use annalist::content::frontmatter::{Source, parse_yaml};
use annalist::markdown::citations::{key_len, scan};
use annalist::markdown::references::References;
use annalist::markdown::{Links, render};
use libfuzzer_sys::fuzz_target;

static SOURCES: LazyLock<Vec<Arc<Source>>> = LazyLock::new(|| {
    parse_yaml(
        "- {id: a, title: A}\n- {id: b, title: \"B <b>\", publisher: P, date: 2024-02}\n\
         - {id: doi:10.1/x.y, url: https://example.com/x}\n- {id: Україна-2024}\n",
    )
    .map_err(|e| e.message)
    .unwrap()
});

fn check_groups(text: &str, escaped: impl Fn(usize) -> bool) {
    let mut last_end = 0;
    for group in scan(text, escaped) {
        assert!(last_end <= group.start && group.start < group.end);
        assert!(group.end <= text.len());
        assert_eq!(text.as_bytes()[group.start], b'[');
        assert_eq!(text.as_bytes()[group.end - 1], b']');
        assert!(!group.items.is_empty());
        for item in &group.items {
            assert!(group.start < item.offset && item.offset < group.end);
            assert_eq!(text.as_bytes()[item.offset], b'@');
            assert!(!item.key.is_empty());
        }
        last_end = group.end;
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_groups(text, |_| false);
    check_groups(text, |i| i > 0 && text.as_bytes()[i - 1] == b'\\');
    for (i, _) in text.char_indices().take(64) {
        if let Some(len) = key_len(&text[i..]) {
            assert!(text.is_char_boundary(i + len));
        }
    }

    let sources = &*SOURCES;
    for links in [Links::OneUp, Links::AsWritten] {
        let mut refs = References::new(|key| sources.iter().find(|s| s.id == key));
        let body = render(text, &mut refs, links);
        for unknown in &body.unknown {
            assert!(unknown.offset <= text.len());
        }
        assert_eq!(refs.cited.len(), refs.backlinks.len());
    }
});
