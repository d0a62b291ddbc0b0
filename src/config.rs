//! `site.yaml` -> [`SiteConfig`], with command-line overrides applied.

use serde::Deserialize;

/// Settings a site may put in `site.yaml`; everything is optional.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// The site's name, shown in every page header.
    pub title: String,
    /// One sentence for the feed and the home page's meta description.
    pub description: String,
    /// Absolute URL the site is served from, e.g. `https://host/sub/`.
    pub base_url: Option<String>,
    /// Default author for the feed.
    pub author: String,
    /// Language tag for `<html lang>`.
    pub language: String,
    /// Custom domain for static hosts (`CNAME`).
    pub domain: Option<String>,
    /// Reports per listing page.
    pub per_page: usize,
    /// Above this many events the timeline splits into one page per year.
    pub timeline_per_page: usize,
    /// The same two limits, grouped (either form works).
    pub options: Options,
    /// Follow symbolic links under the site that lead out of it (off: such
    /// links are errors, so content cannot pull in files from elsewhere).
    pub follow_outside_symlinks: bool,
    /// Build the search index and page, and put a search box in every
    /// page's header (`build --no-search` turns it off for one build).
    pub search: bool,
    /// Handed to templates untouched as `site.extra`.
    pub extra: serde_yaml::Mapping,
}

/// Listing limits, also accepted under `options:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// Reports per listing page.
    pub per_page: Option<usize>,
    /// Timeline split threshold.
    pub timeline_per_page: Option<usize>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "Reports".to_string(),
            description: String::new(),
            base_url: None,
            author: String::new(),
            language: "en".to_string(),
            domain: None,
            per_page: 30,
            timeline_per_page: 2000,
            options: Options::default(),
            follow_outside_symlinks: false,
            search: true,
            extra: serde_yaml::Mapping::new(),
        }
    }
}

impl SiteConfig {
    /// Folds `options:` into the top-level limits, sets the base URL given
    /// on the command line, and normalises it to end in `/`. An error names
    /// the offending key.
    pub fn finish(mut self, base_url: Option<&str>) -> Result<Self, (&'static str, String)> {
        if let Some(n) = self.options.per_page {
            self.per_page = n;
        }
        if let Some(n) = self.options.timeline_per_page {
            self.timeline_per_page = n;
        }
        if self.per_page == 0 {
            return Err(("per_page", "`per_page` must be at least 1".to_string()));
        }
        if self.timeline_per_page == 0 {
            return Err((
                "timeline_per_page",
                "`timeline_per_page` must be at least 1".to_string(),
            ));
        }
        if let Some(url) = base_url {
            self.base_url = Some(url.to_string());
        }
        if let Some(url) = self.base_url.take().filter(|u| !u.trim().is_empty()) {
            self.base_url = Some(check_base_url(&url).map_err(|m| ("base_url", m))?);
        }
        Ok(self)
    }
}

/// An absolute http(s) URL, ending in `/`.
pub fn check_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(if url.ends_with('/') {
            url.to_string()
        } else {
            format!("{url}/")
        }),
        _ => Err(format!(
            "`base_url` must be an absolute http(s) URL such as https://example.com/reports/, not `{url}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_gets_a_trailing_slash() {
        let c = SiteConfig::default()
            .finish(Some("https://host/sub"))
            .unwrap();
        assert_eq!(c.base_url.as_deref(), Some("https://host/sub/"));
    }

    #[test]
    fn options_group_overrides_limits() {
        let c: SiteConfig = serde_yaml::from_str("options: {per_page: 5}").unwrap();
        assert_eq!(c.finish(None).unwrap().per_page, 5);
    }

    #[test]
    fn refuses_relative_base_url() {
        assert!(SiteConfig::default().finish(Some("host/sub")).is_err());
    }
}
