//! The command line, declared with clap: `build`, `check`, `serve`, `new`,
//! `init`, `publish`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// annalist: a static site generator for annotated reports.
#[derive(Debug, Parser)]
#[command(name = "annalist", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into public/ (or --output).
    Build(BuildArgs),
    /// Report every error and warning without writing anything.
    Check(SiteArgs),
    /// Build in memory, serve on loopback, rebuild on every save and reload
    /// open pages.
    Serve(ServeArgs),
    /// Write a new report with its front matter skeleton.
    New(NewArgs),
    /// Make a new site with the built-in templates.
    Init(InitArgs),
    /// Build for production, check every link, and deploy to a folder or
    /// a git branch.
    Publish(PublishArgs),
}

/// Where the site is.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site's root folder (holding content/, site.yaml, ...).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Include reports marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

/// Options of `build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to write the site [default: ROOT/public].
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Absolute URL the site will be served from, overriding site.yaml;
    /// links become absolute (e.g. https://host/reports-site/).
    #[arg(long, value_name = "URL", value_parser = crate::config::check_base_url)]
    pub base_url: Option<String>,
    /// Keep running: rebuild on every change to the site, writing only the
    /// files that changed (for use with your own web server).
    #[arg(long, short)]
    pub watch: bool,
    /// Build no search index or search page, and leave the search box out
    /// of page headers (as `search: false` in site.yaml does).
    #[arg(long)]
    pub no_search: bool,
}

/// Options of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Address to listen on; anything but loopback is shown to the network
    /// and prints a warning.
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on; the next free one is used if it is taken.
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// Build no search index or search page, and leave the search box out
    /// of page headers (as `search: false` in site.yaml does).
    #[arg(long)]
    pub no_search: bool,
}

/// Options of `new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The file to create, e.g. content/reports/my-report.md.
    pub path: PathBuf,
    /// The report's title [default: made from the file name].
    #[arg(long, short)]
    pub title: Option<String>,
}

/// Options of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder for the new site (created if missing; must be empty of a
    /// site).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Options of `publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to deploy: dir:PATH (the folder is replaced whole) or
    /// git:BRANCH (the site becomes the whole tree of BRANCH in the site's
    /// git repository; the working tree is left alone).
    #[arg(long, value_name = "TARGET", value_parser = crate::publish::Target::parse)]
    pub to: crate::publish::Target,
    /// After committing to git:BRANCH, push BRANCH to this remote.
    #[arg(long, value_name = "REMOTE")]
    pub push: Option<String>,
    /// Build and compare, list what would be added, changed and removed,
    /// and deploy nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Build no search index or search page, and leave the search box out
    /// of page headers (as `search: false` in site.yaml does).
    #[arg(long)]
    pub no_search: bool,
}

impl PublishArgs {
    /// The checks clap cannot express: `--push` needs a git target.
    pub fn check(&self) -> Result<(), clap::Error> {
        use clap::CommandFactory;
        let (crate::publish::Target::Dir(_), Some(_)) = (&self.to, &self.push) else {
            return Ok(());
        };
        let mut cli = Cli::command();
        cli.build();
        let mut publish = cli
            .find_subcommand_mut("publish")
            .map(std::mem::take)
            .unwrap_or(cli);
        Err(publish.error(
            clap::error::ErrorKind::ArgumentConflict,
            "--push needs a git target (--to git:BRANCH)",
        ))
    }
}
