//! The `annalist` binary: parse the command line, run the command, print
//! its diagnostics, exit 0 (success, warnings allowed), 1 (content or build
//! errors) or 2 (usage errors, from clap).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// jemalloc: a build allocates and frees millions of small values across
/// threads, where it costs about a sixth less time than the system
/// allocator (see bench/compare.py).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use annalist::cli::{Cli, Command};
use annalist::commands::{self, Outcome};
use annalist::diagnostic::Severity;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Build(args) => commands::build::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::New(args) => commands::new::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Publish(args) => commands::publish::run(args),
    };
    report(&outcome);
    if outcome.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn report(outcome: &Outcome) {
    // Thousands of warnings are one write each, not one per piece.
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    let errors = outcome.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    for d in &outcome.diagnostics {
        let _ = writeln!(err, "{d}\n");
    }
    if errors + warnings > 0 {
        let _ = writeln!(err, "{errors} error(s), {warnings} warning(s)");
    }
    if let Some(summary) = &outcome.summary {
        let _ = writeln!(err, "{summary}");
    }
}
