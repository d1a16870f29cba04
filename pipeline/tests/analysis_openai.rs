//! The OpenAI-compatible engine against a local server that answers like
//! `/v1/chat/completions`: a valid answer becomes the report, anything
//! else falls back to the built-in engine.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{NaiveDate, TimeZone, Utc};
use mymeet_core::config::{OpenAiAnalysisConfig, Secret};
use mymeet_pipeline::analysis::{
    AnalysisEngine, AnalysisInput, BuiltinEngine, MeetingInfo, OpenAiEngine,
};
use mymeet_pipeline::transcript::Segment;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// Each request's `Authorization` header and JSON body.
type Requests = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// What the fake endpoint answers and what it was asked.
#[derive(Clone)]
struct Fake {
    status: StatusCode,
    content: String,
    /// Answer 400 to requests in JSON mode, as some compatible servers do.
    reject_json_mode: bool,
    requests: Requests,
}

async fn completions(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let json_mode = body.get("response_format").is_some();
    fake.requests
        .lock()
        .expect("not poisoned")
        .push((auth, body));
    if fake.reject_json_mode && json_mode {
        let error = json!({"error": {"message": "response_format is not supported"}});
        return (StatusCode::BAD_REQUEST, Json(error));
    }
    let answer = json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": fake.content}}],
    });
    (fake.status, Json(answer))
}

/// Starts the fake endpoint on a free port; returns its `/v1` URL.
async fn serve(fake: Fake) -> String {
    let app = Router::new()
        .route("/v1/chat/completions", post(completions))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/v1")
}

fn fake(status: StatusCode, content: &str) -> Fake {
    Fake {
        status,
        content: content.to_owned(),
        reject_json_mode: false,
        requests: Arc::default(),
    }
}

fn engine(url: String) -> OpenAiEngine {
    OpenAiEngine::new(&OpenAiAnalysisConfig {
        base_url: url,
        api_key: Some(Secret::new("sk-test-key")),
        model: "test-model".into(),
        timeout_secs: 10,
    })
    .expect("engine")
}

fn input() -> AnalysisInput {
    let lines = [
        ("Alice", "Let's review the launch plan for the new website."),
        ("Bob", "I'll send the final design to the client by Friday."),
        ("Alice", "We decided to launch the website on April 1."),
        ("Bob", "Who pays for the hosting next year?"),
    ];
    let segments = lines
        .iter()
        .enumerate()
        .map(|(i, (speaker, text))| Segment {
            start: i as f64 * 10.0,
            end: (i + 1) as f64 * 10.0,
            speaker: Some(speaker.to_string()),
            text: text.to_string(),
            confidence: 0.9,
            language: "en".into(),
        })
        .collect();
    AnalysisInput::new(
        MeetingInfo {
            title: "Website launch".into(),
            started_at: Utc
                .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .expect("valid time"),
            duration_secs: 40.0,
            platform: None,
            meeting_url: None,
            language: "en".into(),
        },
        segments,
    )
}

#[tokio::test]
async fn analysis_a_valid_answer_becomes_the_report() {
    let answer = json!({
        "summary": ["The team planned the website launch.", "Launch is on April 1."],
        "key_points": [{"text": "Launch plan reviewed", "speaker": "Alice", "at_secs": 0}],
        "action_items": [
            {"text": "Send the final design to the client", "owner": "Bob", "due": "2026-03-06", "at_secs": 10},
            {"text": "Ask Carol about the hosting budget", "owner": "Carol", "due": null, "at_secs": 30.5}
        ],
        "decisions": [{"text": "Launch on April 1", "speaker": "Alice", "at_secs": 20}],
        "open_questions": [{"text": "Who pays for hosting next year?", "speaker": null, "at_secs": 30}],
        "topics": [{"title": "Website launch", "start_secs": 0, "end_secs": 40}]
    });
    // Models like to fence their JSON; the engine must not care.
    let fake = fake(StatusCode::OK, &format!("```json\n{answer}\n```"));
    let requests = Arc::clone(&fake.requests);
    let engine = engine(serve(fake).await);
    let input = input();
    let report = engine.analyse(&input).await.expect("a report");

    assert_eq!(report.engine, "openai:test-model");
    assert_eq!(
        report.summary,
        [
            "The team planned the website launch.",
            "Launch is on April 1."
        ]
    );
    assert_eq!(report.action_items.len(), 2);
    assert_eq!(report.action_items[0].owner.as_deref(), Some("Bob"));
    assert_eq!(
        report.action_items[0].due,
        NaiveDate::from_ymd_opt(2026, 3, 6)
    );
    assert_eq!(report.action_items[1].owner.as_deref(), Some("Carol"));
    assert_eq!(report.action_items[1].due, None);
    assert_eq!(report.decisions[0].text, "Launch on April 1");
    assert_eq!(report.open_questions[0].speaker, None);
    assert_eq!(report.topics[0].end_secs, 40.0);
    // Facts are never the model's: talk time and transcript come from the transcript.
    let builtin = BuiltinEngine.report(&input);
    assert_eq!(report.speakers, builtin.speakers);
    assert_eq!(report.segments, input.segments);

    let requests = requests.lock().expect("not poisoned");
    assert_eq!(requests.len(), 1);
    let (auth, body) = &requests[0];
    assert_eq!(auth.as_deref(), Some("Bearer sk-test-key"));
    assert_eq!(body["model"], "test-model");
    let user = body["messages"][1]["content"]
        .as_str()
        .expect("user message");
    assert!(user.contains("Bob: I'll send the final design"), "{user}");
    assert!(user.contains("2026-03-02 (Monday)"), "{user}");
}

#[tokio::test]
async fn analysis_invalid_answers_and_errors_fall_back_to_the_builtin_engine() {
    let input = input();
    let builtin = BuiltinEngine.report(&input);
    let valid_but = |patch: Value| {
        let mut answer = json!({
            "summary": ["Launch planned."],
            "action_items": [{"text": "Send the design", "owner": "Bob", "due": null, "at_secs": 10}],
            "topics": [{"title": "Launch", "start_secs": 0, "end_secs": 40}]
        });
        if let (Some(a), Some(p)) = (answer.as_object_mut(), patch.as_object()) {
            a.extend(p.clone());
        }
        answer.to_string()
    };
    // The control: the unpatched answer is valid, so each case fails for its own reason.
    let control = engine(serve(fake(StatusCode::OK, &valid_but(json!({})))).await);
    let report = control.analyse(&input).await.expect("a report");
    assert_eq!(report.engine, "openai:test-model");
    let cases = [
        (
            "prose",
            StatusCode::OK,
            "Sure! The meeting was about a website.".to_owned(),
        ),
        (
            "wrong types",
            StatusCode::OK,
            valid_but(json!({"summary": "one string"})),
        ),
        (
            "time past the end",
            StatusCode::OK,
            valid_but(json!({"decisions": [{"text": "x", "speaker": "Alice", "at_secs": 4000}]})),
        ),
        (
            "unknown owner",
            StatusCode::OK,
            valid_but(
                json!({"action_items": [{"text": "Send it", "owner": "Mallory", "due": null, "at_secs": 5}]}),
            ),
        ),
        (
            "bad date",
            StatusCode::OK,
            valid_but(
                json!({"action_items": [{"text": "Send it", "owner": "Bob", "due": "Friday", "at_secs": 5}]}),
            ),
        ),
        (
            "server error",
            StatusCode::INTERNAL_SERVER_ERROR,
            valid_but(json!({})),
        ),
    ];
    for (name, status, content) in cases {
        let engine = engine(serve(fake(status, &content)).await);
        let report = engine.analyse(&input).await.expect("a report");
        assert_eq!(report.engine, "builtin", "{name}");
        assert_eq!(report, builtin, "{name}");
    }
    // Nobody listening at all.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        drop(listener);
        format!("http://{addr}/v1")
    };
    let report = engine(closed).analyse(&input).await.expect("a report");
    assert_eq!(report, builtin);
}

#[tokio::test]
async fn analysis_a_server_without_json_mode_is_asked_again_without_it() {
    let answer = json!({"summary": ["Launch planned."], "topics": []});
    let mut fake = fake(StatusCode::OK, &answer.to_string());
    fake.reject_json_mode = true;
    let requests = Arc::clone(&fake.requests);
    let report = engine(serve(fake).await)
        .analyse(&input())
        .await
        .expect("a report");
    assert_eq!(report.engine, "openai:test-model");
    assert_eq!(report.summary, ["Launch planned."]);
    let requests = requests.lock().expect("not poisoned");
    assert_eq!(requests.len(), 2);
    assert!(requests[0].1.get("response_format").is_some());
    assert!(requests[1].1.get("response_format").is_none());
}
