//! Indexes the report pages of a site `annalist build` wrote with
//! Pagefind's Rust API and prints how long it took: the measurement behind
//! annalist's own search index (README, "Search").
//!
//! ```sh
//! annalist build --no-search --root /tmp/annalist-bench/annalist-1000 --output /dev/shm/site
//! cargo run --release -- /dev/shm/site html     # add_html_file, page by page
//! cargo run --release -- /dev/shm/site custom   # add_custom_record with the article's text
//! cargo run --release -- /dev/shm/site dir      # add_directory (parses in parallel)
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

/// The text of a page's `<article>`, tags dropped.
fn article_text(html: &str) -> String {
    let start = html.find("<article").unwrap_or(0);
    let end = html.find("</article>").unwrap_or(html.len());
    let mut out = String::with_capacity(end - start);
    let mut in_tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(mode)) = (args.get(1), args.get(2)) else {
        return Err("usage: pagefind-probe SITE_DIR html|custom|dir".into());
    };
    let mut pages = Vec::new();
    for entry in walkdir::WalkDir::new(format!("{dir}/reports")) {
        let entry = entry?;
        if entry.file_name() == "index.html" {
            let url = format!("/{}", entry.path().strip_prefix(dir)?.display());
            pages.push((url, std::fs::read_to_string(entry.path())?));
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let started = Instant::now();
        let options = PagefindServiceConfig::builder()
            .keep_index_url(true)
            .force_language("en".to_string())
            .write_playground(false)
            .build();
        let mut index = PagefindIndex::new(Some(options))?;
        match mode.as_str() {
            "html" => {
                for (url, html) in pages {
                    index.add_html_file(None, Some(url), html).await?;
                }
            }
            "custom" => {
                for (url, html) in pages {
                    let meta = BTreeMap::from([("title".to_string(), url.clone())]);
                    let text = article_text(&html);
                    index.add_custom_record(url, text, "en".into(), Some(meta), None, None).await?;
                }
            }
            "dir" => {
                index.add_directory(dir.clone(), Some("reports/**/*.html".into())).await?;
            }
            other => return Err(format!("unknown mode {other}").into()),
        }
        let added = started.elapsed();
        let files = index.get_files().await?;
        let bytes: usize = files.iter().map(|f| f.contents.len()).sum();
        println!(
            "{mode}: pages added in {added:.2?}, {} files ({bytes} bytes) in {:.2?} more; total {:.2?}",
            files.len(),
            started.elapsed() - added,
            started.elapsed()
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
