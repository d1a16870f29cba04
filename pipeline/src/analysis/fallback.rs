//! The safety net of the model engines: an unusable answer becomes the
//! built-in engine's report and one warning line.

use super::builtin::BuiltinEngine;
use super::{AnalysisError, AnalysisInput, MeetingReport};

/// `result` if it is a report, else the built-in engine's report of `input`.
pub fn or_builtin(
    engine: &str,
    result: Result<MeetingReport, AnalysisError>,
    input: &AnalysisInput,
) -> MeetingReport {
    match result {
        Ok(report) => report,
        Err(error) => {
            tracing::warn!(engine, %error, "analysis engine failed; falling back to the built-in engine");
            BuiltinEngine.report(input)
        }
    }
}
