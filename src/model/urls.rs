//! Page URLs. Pages live at folders (`reports/x/`) whose file is
//! `index.html`. Without a base URL links are relative and name
//! `index.html`, so the site works from `file://`; with one they are
//! absolute and end at the folder.

/// How internal links are written.
#[derive(Debug, Clone)]
pub struct Urls {
    base: Option<String>,
}

impl Urls {
    /// `base` is the site's `base_url` (ending in `/`), if any.
    pub fn new(base: Option<String>) -> Self {
        Urls { base }
    }

    /// The site-relative link to the page at folder `dir` (`""` is home).
    pub fn link(&self, dir: &str) -> String {
        if self.base.is_some() {
            dir.to_string()
        } else {
            [dir, "index.html"].concat()
        }
    }

    /// The prefix that turns a site-relative link into one that works from
    /// the page at folder `dir`.
    pub fn root(&self, dir: &str) -> String {
        match &self.base {
            Some(base) => base.clone(),
            None => "../".repeat(dir.matches('/').count()),
        }
    }

    /// The absolute URL of a site-relative path, when there is a base URL.
    pub fn absolute(&self, path: &str) -> Option<String> {
        self.base.as_ref().map(|b| [b, path].concat())
    }

    /// The base URL, if any.
    pub fn base(&self) -> Option<&str> {
        self.base.as_deref()
    }
}

/// The output file of the page at folder `dir`.
pub fn file_of(dir: &str) -> String {
    [dir, "index.html"].concat()
}

/// The folder of page `n` (1-based) of a paginated listing at `dir`.
pub fn paginated(dir: &str, n: usize) -> String {
    if n <= 1 {
        dir.to_string()
    } else {
        format!("{dir}page/{n}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_name_index_html() {
        let u = Urls::new(None);
        assert_eq!(u.link("reports/x/"), "reports/x/index.html");
        assert_eq!(u.link(""), "index.html");
        assert_eq!(u.root("reports/x/"), "../../");
        assert_eq!(u.root(""), "");
        assert_eq!(u.absolute("x/"), None);
    }

    #[test]
    fn base_url_links_are_absolute() {
        let u = Urls::new(Some("https://host/sub/".into()));
        assert_eq!(u.link("reports/x/"), "reports/x/");
        assert_eq!(u.root("reports/x/"), "https://host/sub/");
        assert_eq!(
            u.absolute("tags/").as_deref(),
            Some("https://host/sub/tags/")
        );
    }

    #[test]
    fn pagination_folders() {
        assert_eq!(paginated("", 1), "");
        assert_eq!(paginated("", 2), "page/2/");
        assert_eq!(paginated("tags/china/", 3), "tags/china/page/3/");
    }
}
