//! An engine that asks any OpenAI-compatible chat completions endpoint
//! (OpenAI, vLLM, Ollama, llama.cpp's server) for the report as JSON.

use super::contract::{report_from_answer, user_prompt, SYSTEM_PROMPT};
use super::fallback::or_builtin;
use super::{AnalysisEngine, AnalysisError, AnalysisInput, MeetingReport};
use mymeet_core::config::{OpenAiAnalysisConfig, Secret};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// Transcript characters sent: large models have large contexts, but not unbounded ones.
const MAX_PROMPT_CHARS: usize = 200_000;

/// The OpenAI-compatible engine; falls back to the built-in one on any failure.
#[derive(Debug, Clone)]
pub struct OpenAiEngine {
    client: reqwest::Client,
    url: String,
    api_key: Option<Secret>,
    model: String,
}

#[derive(Debug, Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Debug, Deserialize)]
struct Message {
    content: Option<String>,
}

impl OpenAiEngine {
    /// An engine for the configured endpoint.
    pub fn new(cfg: &OpenAiAnalysisConfig) -> Result<Self, AnalysisError> {
        if cfg.model.trim().is_empty() {
            return Err(AnalysisError::Config(
                "analysis.openai.model is empty".into(),
            ));
        }
        // reqwest is built without a bundled crypto provider; use ring, like the rest of mymeet.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(cfg.timeout_secs.max(1)))
            .build()
            .map_err(|e| AnalysisError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            url: format!("{}/chat/completions", cfg.base_url.trim_end_matches('/')),
            api_key: cfg.api_key.clone(),
            model: cfg.model.clone(),
        })
    }

    /// One request and the checked report, without the fallback.
    pub async fn try_analyse(&self, input: &AnalysisInput) -> Result<MeetingReport, AnalysisError> {
        let mut body = json!({
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": user_prompt(input, MAX_PROMPT_CHARS)},
            ],
        });
        let content = match self.complete(&body).await {
            // Some compatible servers reject JSON mode; the prompt asks for JSON anyway.
            Err(Rejected::BadRequest(first)) => {
                if let Some(fields) = body.as_object_mut() {
                    fields.remove("response_format");
                }
                self.complete(&body).await.map_err(|e| match e {
                    Rejected::BadRequest(again) => {
                        AnalysisError::Http(format!("{again} (with JSON mode: {first})"))
                    }
                    Rejected::Other(e) => e,
                })?
            }
            Err(Rejected::Other(e)) => return Err(e),
            Ok(content) => content,
        };
        report_from_answer(&content, input, &self.name())
    }

    /// The content of the first choice of one chat completion.
    async fn complete(&self, body: &serde_json::Value) -> Result<String, Rejected> {
        let mut request = self.client.post(&self.url).json(body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose());
        }
        let response = request
            .send()
            .await
            .map_err(|e| Rejected::Other(AnalysisError::Http(e.without_url().to_string())))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            let detail = format!("{status}: {}", text.chars().take(300).collect::<String>());
            return Err(if status == reqwest::StatusCode::BAD_REQUEST {
                Rejected::BadRequest(detail)
            } else {
                Rejected::Other(AnalysisError::Http(detail))
            });
        }
        let completion: Completion = response.json().await.map_err(|e| {
            Rejected::Other(AnalysisError::InvalidAnswer(format!(
                "not a chat completion: {e}"
            )))
        })?;
        completion
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .ok_or_else(|| {
                Rejected::Other(AnalysisError::InvalidAnswer(
                    "the completion has no content".into(),
                ))
            })
    }
}

/// Why a completion request failed: a 400 may be JSON mode unsupported.
enum Rejected {
    BadRequest(String),
    Other(AnalysisError),
}

#[async_trait::async_trait]
impl AnalysisEngine for OpenAiEngine {
    async fn analyse(&self, input: &AnalysisInput) -> Result<MeetingReport, AnalysisError> {
        let result = self.try_analyse(input).await;
        Ok(or_builtin(&self.name(), result, input))
    }

    fn name(&self) -> String {
        format!("openai:{}", self.model)
    }
}
