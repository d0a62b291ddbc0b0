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
            extra: serde_yaml::Mapping::new(),
        }
    }
}

impl SiteConfig {
    /// Folds `options:` into the top-level limits, sets the base URL given
    /// on the command line, and normalises it to end in `/`.
    pub fn finish(mut self, base_url: Option<&str>) -> Result<Self, String> {
        if let Some(n) = self.options.per_page {
            self.per_page = n;
        }
        if let Some(n) = self.options.timeline_per_page {
            self.timeline_per_page = n;
        }
        if self.per_page == 0 {
            return Err("`per_page` must be at least 1".to_string());
        }
        if self.timeline_per_page == 0 {
            return Err("`timeline_per_page` must be at least 1".to_string());
        }
        if let Some(url) = base_url {
            self.base_url = Some(url.to_string());
        }
        if let Some(url) = self.base_url.take().filter(|u| !u.trim().is_empty()) {
            let url = url.trim();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "`base_url` must be an absolute http(s) URL, not `{url}`"
                ));
            }
            let url = if url.ends_with('/') {
                url.to_string()
            } else {
                format!("{url}/")
            };
            self.base_url = Some(url);
        }
        Ok(self)
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
