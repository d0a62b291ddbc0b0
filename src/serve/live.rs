//! Live reload: the small script injected into every HTML page the dev
//! server sends (never into `build` output). It listens on a server-sent
//! events channel: `reload` reloads the page, `css` swaps stylesheets,
//! `errors` shows the failed build's diagnostics in an overlay (as text,
//! never as HTML), and `ok` clears it.

/// Where the event channel is served.
pub const EVENTS_PATH: &str = "/__annalist/events";

const SCRIPT: &str = r#"<script>
(function () {
  var overlay = null;
  function clear() { if (overlay) { overlay.remove(); overlay = null; } }
  function show(text) {
    clear();
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);color:#fff;padding:2rem;font:14px/1.5 ui-monospace,monospace";
    var title = document.createElement("p");
    title.style.cssText = "font-weight:bold;color:#ff8a80;margin:0 0 1rem";
    title.textContent = "annalist: the last save broke the build; still serving the last good site.";
    var pre = document.createElement("pre");
    pre.style.cssText = "white-space:pre-wrap;margin:0";
    pre.textContent = text;
    overlay.appendChild(title);
    overlay.appendChild(pre);
    document.body.appendChild(overlay);
  }
  var events = new EventSource("/__annalist/events");
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("ok", clear);
  events.addEventListener("errors", function (e) { show(e.data); });
  events.addEventListener("css", function () {
    clear();
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href);
      url.searchParams.set("annalist", Date.now());
      link.href = url.toString();
    });
  });
})();
</script>
"#;

/// `html` with the live-reload script before its closing `</body>`.
pub fn inject(html: &[u8]) -> Vec<u8> {
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + SCRIPT.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(SCRIPT.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_goes_before_the_closing_body() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></body></html>")).unwrap();
        assert!(out.starts_with("<html><body><p>x</p><script>"));
        assert!(out.ends_with("</script>\n</body></html>"));
    }

    #[test]
    fn pages_without_body_get_it_at_the_end() {
        let out = String::from_utf8(inject(b"<p>x</p>")).unwrap();
        assert!(out.starts_with("<p>x</p><script>"));
    }

    #[test]
    fn errors_are_shown_as_text() {
        assert!(SCRIPT.contains("pre.textContent = text"));
        assert!(!SCRIPT.contains("innerHTML"));
    }
}
