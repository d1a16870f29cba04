//! The speaker timeline the bot wrote into `bot.json`.

use super::SpeakerTurn;
use serde::Deserialize;

/// The part of `bot.json` the pipeline reads. Other fields are ignored, so
/// the bot can add to its report without breaking this stage.
#[derive(Debug, Deserialize)]
struct BotJson {
    #[serde(default)]
    speakers: Vec<BotJsonTurn>,
}

#[derive(Debug, Deserialize)]
struct BotJsonTurn {
    name: String,
    from_s: f64,
    to_s: f64,
}

/// Reads the speaker turns from the bytes of a `bot.json`.
pub fn timeline_from_bot_json(bytes: &[u8]) -> Result<Vec<SpeakerTurn>, serde_json::Error> {
    let bot: BotJson = serde_json::from_slice(bytes)?;
    Ok(bot
        .speakers
        .into_iter()
        .map(|t| SpeakerTurn {
            speaker: t.name,
            start: t.from_s,
            end: t.to_s,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_turns_and_ignores_the_rest() {
        let json = br#"{"platform":"meet","speakers":[{"name":"Alice","from_s":1.5,"to_s":4.0}],"counters":{}}"#;
        let turns = timeline_from_bot_json(json).unwrap();
        assert_eq!(
            turns,
            vec![SpeakerTurn {
                speaker: "Alice".into(),
                start: 1.5,
                end: 4.0
            }]
        );
        assert!(timeline_from_bot_json(b"{}").unwrap().is_empty());
        assert!(timeline_from_bot_json(b"not json").is_err());
    }
}
