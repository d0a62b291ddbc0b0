//! The built-in static files under their output names, and `robots.txt`.
//! A production build (`publish`) names the built-in stylesheet and script
//! by their content (`style.3f2a1b9c.css`), so a host may cache them for
//! good: a changed file is a new name. Templates reach them through the
//! `assets` map, never by name. A file of the site's own `static/` with
//! the same name (as `annalist init` writes) replaces the built-in one, and
//! is named by its content too (the pipeline reads it and says so through
//! [`Profile::Production`]).

use serde::Serialize;

use super::{OutputFile, STATIC};
use crate::model::Site;

/// What a build is for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Profile {
    /// `build`, `check` and `serve`: the built-in assets keep their names.
    #[default]
    Standard,
    /// `publish`: the built-in assets are named by their content; `site`
    /// holds the output names of the site's own files that replace them
    /// (`("style.css", "style.3f2a1b9c.css")`).
    Production {
        /// Plain name and output name of each of the site's own assets.
        site: Vec<(String, String)>,
    },
}

/// The names templates reach through `assets`, which a production build
/// gives their content's hash.
pub const NAMED_BY_CONTENT: [&str; 2] = ["style.css", "annalist.js"];

/// The `assets` map templates see: site-relative URLs of the stylesheet
/// and the script.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct AssetNames {
    /// The stylesheet.
    pub css: String,
    /// The script.
    pub js: String,
}

/// The built-in static files this build writes: output name and content.
/// Those the site's own `static/` provides are left out.
pub fn built_in(site_static: &[String], profile: &Profile) -> Vec<(String, &'static [u8])> {
    STATIC
        .iter()
        .filter(|(name, _)| !site_static.iter().any(|s| s == name))
        .map(|&(name, bytes)| (output_name(name, bytes, profile), bytes))
        .collect()
}

/// The `assets` map for this build.
pub fn names(site_static: &[String], profile: &Profile) -> AssetNames {
    let name = |wanted: &str| {
        if let Profile::Production { site } = profile
            && let Some((_, renamed)) = site.iter().find(|(plain, _)| plain == wanted)
        {
            return renamed.clone();
        }
        STATIC
            .iter()
            .find(|(name, _)| *name == wanted)
            .filter(|(name, _)| !site_static.iter().any(|s| s == name))
            .map_or(wanted.to_string(), |&(name, bytes)| {
                output_name(name, bytes, profile)
            })
    };
    AssetNames {
        css: name("style.css"),
        js: name("annalist.js"),
    }
}

/// `style.css` or, in production, `style.<hash>.css`.
fn output_name(name: &str, bytes: &[u8], profile: &Profile) -> String {
    match profile {
        Profile::Production { .. } => content_name(name, bytes),
        Profile::Standard => name.to_string(),
    }
}

/// `name` with the hash of `bytes` before its extension:
/// `style.3f2a1b9c.css`.
pub fn content_name(name: &str, bytes: &[u8]) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{}.{ext}", hash(bytes)),
        None => format!("{name}.{}", hash(bytes)),
    }
}

/// Eight hex digits of the 64-bit FNV-1a hash of `bytes`: stable across
/// builds, platforms and compiler versions, unlike `std`'s hasher.
fn hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:08x}", (h ^ (h >> 32)) as u32)
}

/// `robots.txt`: every crawler welcome, and the sitemap's absolute URL
/// when the site has a `base_url`.
pub fn robots(site: &Site) -> OutputFile {
    let mut text = String::from("User-agent: *\nDisallow:\n");
    if let Some(sitemap) = site.urls.absolute("sitemap.xml") {
        text.push_str(&format!("\nSitemap: {sitemap}\n"));
    }
    OutputFile {
        path: ROBOTS.to_string(),
        bytes: text.into_bytes(),
    }
}

/// The name of the robots file.
pub const ROBOTS: &str = "robots.txt";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_names_carry_the_content_hash() {
        let production = Profile::Production { site: Vec::new() };
        let standard = output_name("style.css", b"a", &Profile::Standard);
        assert_eq!(standard, "style.css");
        let name = output_name("style.css", b"a", &production);
        assert_eq!(name, format!("style.{}.css", hash(b"a")));
        assert_ne!(name, output_name("style.css", b"b", &production));
        // Known FNV-1a values, folded to 32 bits.
        assert_eq!(hash(b""), "4fd0bfc1");
        assert_eq!(hash(b"a"), "296230c0");
    }

    #[test]
    fn the_sites_own_file_replaces_the_built_in_one() {
        let own = vec!["style.css".to_string()];
        let standard = names(&own, &Profile::Standard);
        assert_eq!(standard.css, "style.css");
        assert_eq!(standard.js, "annalist.js");
        let production = Profile::Production {
            site: vec![("style.css".to_string(), "style.00000000.css".to_string())],
        };
        let names = names(&own, &production);
        assert_eq!(names.css, "style.00000000.css");
        assert_eq!(names.js.len(), "annalist.12345678.js".len());
        let files = built_in(&own, &production);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, names.js);
    }
}
