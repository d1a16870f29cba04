use serde::{Deserialize, Serialize};

/// A queue and the topic pattern it is bound to.
///
/// Patterns follow AMQP topic rules: words separated by `.`, `*` matches one
/// word and `#` zero or more.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QueueSpec {
    /// The queue name, e.g. `recording.completed`.
    pub name: String,
    /// The binding pattern, e.g. `recording.completed` or `bot.#`. `None` for
    /// a dead-letter queue, which receives messages only from its queue.
    pub binding: Option<String>,
}

/// Suffix of a queue's dead-letter queue.
pub(crate) const DEAD_LETTER_SUFFIX: &str = ".dead";

impl QueueSpec {
    /// A queue bound to a pattern.
    pub fn new(name: impl Into<String>, binding: impl Into<String>) -> Self {
        QueueSpec {
            name: name.into(),
            binding: Some(binding.into()),
        }
    }

    /// The usual pipeline stage: a queue named after the one topic it takes.
    pub fn stage(topic: &str) -> Self {
        QueueSpec::new(topic, topic)
    }

    /// The same queue with `prefix` before its name (the binding is kept), so
    /// several deployments or test runs can share one broker (`bus.queue_prefix`).
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.name = format!("{prefix}{}", self.name);
        self
    }

    /// The pipeline's stage queues, declared when a server or worker starts
    /// so that messages published before their consumer runs are kept.
    pub fn pipeline_stages() -> Vec<QueueSpec> {
        use super::messages::{
            BotEventV1, RecordingCompletedV1, RecordingProgressV1, ReportReadyV1, TranscriptReadyV1,
        };
        use super::Event;
        [
            BotEventV1::TOPIC,
            RecordingProgressV1::TOPIC,
            RecordingCompletedV1::TOPIC,
            TranscriptReadyV1::TOPIC,
            ReportReadyV1::TOPIC,
        ]
        .into_iter()
        .map(QueueSpec::stage)
        .collect()
    }

    /// This queue's dead-letter queue, `<name>.dead`.
    pub fn dead_letters(&self) -> QueueSpec {
        QueueSpec {
            name: format!("{}{DEAD_LETTER_SUFFIX}", self.name),
            binding: None,
        }
    }

    /// True for a dead-letter queue: failures there are requeued, never
    /// dead-lettered again.
    pub fn is_dead_letter_queue(&self) -> bool {
        self.binding.is_none()
    }

    /// Whether a message with routing key `topic` is routed to this queue.
    pub fn matches(&self, topic: &str) -> bool {
        match &self.binding {
            Some(pattern) => topic_matches(pattern, topic),
            None => false,
        }
    }
}

/// AMQP topic matching: `*` is exactly one word, `#` is zero or more words.
pub(crate) fn topic_matches(pattern: &str, topic: &str) -> bool {
    fn go(p: &[&str], t: &[&str]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((&"#", rest)) => (0..=t.len()).any(|skip| go(rest, &t[skip..])),
            Some((&"*", rest)) => !t.is_empty() && go(rest, &t[1..]),
            Some((word, rest)) => t.first() == Some(word) && go(rest, &t[1..]),
        }
    }
    let p: Vec<&str> = pattern.split('.').collect();
    let t: Vec<&str> = topic.split('.').collect();
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_patterns() {
        assert!(topic_matches("recording.completed", "recording.completed"));
        assert!(!topic_matches("recording.completed", "recording.failed"));
        assert!(topic_matches("bot.*", "bot.events"));
        assert!(!topic_matches("bot.*", "bot.events.extra"));
        assert!(topic_matches("bot.#", "bot"));
        assert!(topic_matches("bot.#", "bot.events.extra"));
        assert!(topic_matches("#", "anything.at.all"));
        assert!(topic_matches("*.ready", "report.ready"));
        assert!(!topic_matches("*.ready", "ready"));
    }

    #[test]
    fn dead_letter_queue_takes_nothing_from_the_exchange() {
        let q = QueueSpec::stage("transcript.ready");
        let dead = q.dead_letters();
        assert_eq!(dead.name, "transcript.ready.dead");
        assert!(dead.is_dead_letter_queue());
        assert!(!dead.matches("transcript.ready"));
    }
}
