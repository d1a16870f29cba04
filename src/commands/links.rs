use anyhow::Context;
use mymeet_integrations::links::{self, MeetingLink};
use std::path::Path;

/// `mymeet links FILE [--json]`: the meetings an event JSON (Google or Graph
/// shape) or a text/HTML file points at, as the scheduler sees them.
pub fn run(file: &Path, json: bool) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let found = find(&text);
    if json {
        let items: Vec<serde_json::Value> = found
            .iter()
            .map(|l| {
                serde_json::json!({
                    "platform": l.platform.as_str(),
                    "url": l.url,
                    "meeting_id": l.meeting_id,
                    "passcode": l.passcode,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(());
    }
    if found.is_empty() {
        println!("no meeting link found");
    }
    for l in &found {
        println!("platform:   {}", l.platform);
        println!("url:        {}", l.url);
        println!("meeting id: {}", l.meeting_id);
        println!("passcode:   {}", l.passcode.as_deref().unwrap_or("-"));
        println!();
    }
    Ok(())
}

/// An event JSON yields its one meeting (structured fields first); any other
/// text every meeting in it.
fn find(text: &str) -> Vec<MeetingLink> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) if v.is_object() => links::from_event_json(&v).into_iter().collect(),
        _ => links::find_in_text(text),
    }
}
