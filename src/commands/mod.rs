//! One thin module per command: each is a list of stage calls.

pub mod build;
pub mod check;
pub mod init;
pub mod new;
mod pipeline;
pub mod publish;
pub mod serve;

use crate::diagnostic::Diagnostic;

/// What a command leaves for `main` to print and turn into an exit code.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Everything found, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// A closing line for the terminal.
    pub summary: Option<String>,
}

impl Outcome {
    /// Whether any diagnostic is an error.
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}
