//! The database round-trip suite, written once and run on SQLite and
//! PostgreSQL: each check takes a fresh, migrated database.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use mymeet_core::crypto::{hash_api_key, TokenCipher};
use mymeet_core::db::entities::calendar_connections::{ConnectionStatus, Provider};
use mymeet_core::db::entities::deliveries::{Channel, DeliveryStatus};
use mymeet_core::db::entities::recordings::Track;
use mymeet_core::db::entities::reports::ReportFormat;
use mymeet_core::db::entities::webhook_deliveries::WebhookDeliveryStatus;
use mymeet_core::db::entities::{
    bots as bot_entity, calendar_connections, meetings as meeting_entity, tenants as tenant_entity,
    users as user_entity,
};
use mymeet_core::db::migrate;
use mymeet_core::db::repo::{
    self, api_keys, bots, calendar, deliveries, meetings, recordings, reports, tenants,
    transcripts, users, webhooks, RepoError,
};
use mymeet_core::domain::{BotState, EndReason, Platform};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    Statement,
};
use uuid::Uuid;

/// Generates one `#[tokio::test]` per suite check, each on a database from `$open`.
#[macro_export]
macro_rules! db_suite_tests {
    ($open:ident) => {
        $crate::db_suite_tests!(@each $open;
            migrations_apply_and_reapply_as_no_op,
            tenants_and_users_round_trip,
            api_keys_store_only_the_hash,
            calendar_tokens_are_encrypted_at_rest,
            tampered_token_fails_to_decrypt,
            calendar_reconnect_and_reauth,
            calendar_events_upsert_by_provider_id,
            meetings_upsert_once_per_real_call,
            bot_full_legal_path_is_stored_in_order,
            illegal_transition_is_rejected_and_changes_nothing,
            stale_update_is_a_conflict,
            concurrent_transitions_have_one_winner,
            recordings_once_per_bot,
            transcripts_insert_if_absent_is_idempotent,
            reports_and_templates_round_trip,
            deliveries_are_claimed_once,
            concurrent_delivery_claims_yield_one_row,
            webhooks_round_trip,
            deleting_a_tenant_cascades
        );
    };
    (@each $open:ident; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let (db, _guard) = $open().await;
                db_suite::$name(&db).await;
            }
        )*
    };
}

/// The key the suite seals tokens with.
pub fn cipher() -> TokenCipher {
    TokenCipher::from_key_bytes([42u8; 32])
}

/// A whole-second UTC time.
pub fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 5, 17, h, m, 0).unwrap()
}

/// A tenant, a user, a meeting and a scheduled bot.
pub struct Fixture {
    pub tenant: tenant_entity::Model,
    pub user: user_entity::Model,
    pub meeting: meeting_entity::Model,
    pub bot: bot_entity::Model,
}

/// Creates a [`Fixture`] with unique names.
pub async fn fixture(db: &DatabaseConnection) -> Fixture {
    let slug = format!("acme-{}", Uuid::new_v4().simple());
    let tenant = tenants::create(db, "Acme", &slug).await.unwrap();
    let user = users::create(db, tenant.id, "Ann@Example.com", "Ann")
        .await
        .unwrap();
    let meeting = meetings::upsert(
        db,
        meetings::NewMeeting {
            tenant_id: tenant.id,
            platform: Platform::Meet,
            meeting_url: "https://meet.google.com/abc-defg-hij",
            title: "Weekly",
            starts_at: t(10, 0),
            ends_at: t(11, 0),
        },
    )
    .await
    .unwrap()
    .model;
    let bot = bots::create(db, meeting.id, t(9, 59), &[user.id])
        .await
        .unwrap();
    Fixture {
        tenant,
        user,
        meeting,
        bot,
    }
}

/// Runs `sql` with one bound id, `?` or `$1` as the engine wants.
async fn query_by_id(db: &DatabaseConnection, sql: &str, id: Uuid) -> sea_orm::QueryResult {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => sql.replace('?', "$1"),
        _ => sql.to_owned(),
    };
    db.query_one(Statement::from_sql_and_values(backend, sql, [id.into()]))
        .await
        .unwrap()
        .expect("one row")
}

const TABLES: [&str; 17] = [
    "tenants",
    "users",
    "api_keys",
    "calendar_connections",
    "calendar_events",
    "meetings",
    "bots",
    "bot_transitions",
    "bot_requesters",
    "recordings",
    "transcripts",
    "transcript_segments",
    "report_templates",
    "reports",
    "deliveries",
    "webhooks",
    "webhook_deliveries",
];

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let backend = db.get_database_backend();
    let row = db
        .query_one(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap_or_else(|e| panic!("count {table}: {e}"))
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Every table exists; migrating again changes nothing.
pub async fn migrations_apply_and_reapply_as_no_op(db: &DatabaseConnection) {
    for table in TABLES {
        assert_eq!(count(db, table).await, 0, "{table} starts empty");
    }
    let applied = count(db, "seaql_migrations").await;
    assert!(applied >= 1);
    let f = fixture(db).await;
    migrate(db).await.expect("a second migrate is a no-op");
    assert_eq!(count(db, "seaql_migrations").await, applied);
    assert_eq!(tenants::get(db, f.tenant.id).await.unwrap(), f.tenant);
}

/// Tenants and users: create, get, find, list, uniqueness.
pub async fn tenants_and_users_round_trip(db: &DatabaseConnection) {
    let a = tenants::create(db, "Beta", "beta").await.unwrap();
    let b = tenants::create(db, "Alpha", "alpha").await.unwrap();
    assert_eq!(tenants::get(db, a.id).await.unwrap(), a);
    assert_eq!(
        tenants::by_slug(db, "alpha").await.unwrap(),
        Some(b.clone())
    );
    assert_eq!(tenants::by_slug(db, "nope").await.unwrap(), None);
    assert_eq!(tenants::list(db).await.unwrap(), vec![b.clone(), a.clone()]);
    let err = tenants::create(db, "Other", "beta").await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(tenants::get(db, Uuid::new_v4())
        .await
        .unwrap_err()
        .is_not_found());

    let u = users::create(db, a.id, " Bob@Example.COM ", "Bob")
        .await
        .unwrap();
    assert_eq!(u.email, "bob@example.com");
    assert_eq!(users::get(db, u.id).await.unwrap(), u);
    assert_eq!(
        users::by_email(db, a.id, "BOB@example.com").await.unwrap(),
        Some(u.clone())
    );
    assert!(users::create(db, a.id, "bob@example.com", "Bob 2")
        .await
        .unwrap_err()
        .is_conflict());
    // The same address is fine in another tenant.
    let u2 = users::create(db, b.id, "bob@example.com", "Bob")
        .await
        .unwrap();
    assert_eq!(users::list_for_tenant(db, a.id).await.unwrap(), vec![u]);
    assert_eq!(users::list_for_tenant(db, b.id).await.unwrap(), vec![u2]);
}

/// API keys: the hash is stored, never the key; revoked keys fail.
pub async fn api_keys_store_only_the_hash(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let (key, plain) = api_keys::create(db, f.tenant.id, Some(f.user.id), "ci")
        .await
        .unwrap();
    assert!(plain.starts_with("mm_"));
    assert_eq!(
        plain.len(),
        3 + 43,
        "mm_ and 32 bytes of unpadded base64url"
    );
    assert_eq!(key.prefix, &plain[..8]);
    assert_eq!(key.key_hash, hash_api_key(&plain));
    let row = query_by_id(
        db,
        "SELECT name, prefix, key_hash FROM api_keys WHERE id = ?",
        key.id,
    )
    .await;
    for col in ["name", "prefix", "key_hash"] {
        let v: String = row.try_get("", col).unwrap();
        assert!(!v.contains(&plain), "{col} holds the key");
    }

    let found = api_keys::authenticate(db, &plain)
        .await
        .unwrap()
        .expect("key accepted");
    assert_eq!(found.id, key.id);
    assert!(found.last_used_at.is_some());
    assert!(api_keys::get(db, key.id)
        .await
        .unwrap()
        .last_used_at
        .is_some());
    assert_eq!(api_keys::authenticate(db, "mm_wrong").await.unwrap(), None);
    assert_eq!(api_keys::authenticate(db, &plain[1..]).await.unwrap(), None);

    let (other, other_plain) = api_keys::create(db, f.tenant.id, None, "tenant-wide")
        .await
        .unwrap();
    assert_ne!(other_plain, plain);
    let revoked = api_keys::revoke(db, key.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(api_keys::authenticate(db, &plain).await.unwrap(), None);
    assert_eq!(
        api_keys::authenticate(db, &other_plain)
            .await
            .unwrap()
            .map(|k| k.id),
        Some(other.id)
    );
    let listed: Vec<Uuid> = api_keys::list_for_tenant(db, f.tenant.id)
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(listed, vec![other.id, key.id]);
}

const ACCESS: &str = "ya29.a0AfH6SMBx-access-token-PLAINTEXT";
const REFRESH: &str = "1//0g-refresh-token-PLAINTEXT";

async fn connect_google(db: &DatabaseConnection, user_id: Uuid) -> calendar_connections::Model {
    calendar::create_connection(
        db,
        &cipher(),
        calendar::NewConnection {
            user_id,
            provider: Provider::Google,
            account_email: "Ann@Example.com",
            access_token: ACCESS,
            refresh_token: Some(REFRESH),
            token_expires_at: Some(t(12, 0)),
            scopes: "https://www.googleapis.com/auth/calendar.readonly",
        },
    )
    .await
    .unwrap()
    .model
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// OAuth tokens are stored sealed and open back to the same text.
pub async fn calendar_tokens_are_encrypted_at_rest(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let conn = connect_google(db, f.user.id).await;
    assert_eq!(conn.account_email, "ann@example.com");
    assert_eq!(conn.status, ConnectionStatus::Active);
    assert_eq!(calendar::get_connection(db, conn.id).await.unwrap(), conn);

    let row = query_by_id(
        db,
        "SELECT access_token_enc, refresh_token_enc FROM calendar_connections WHERE id = ?",
        conn.id,
    )
    .await;
    let access: Vec<u8> = row.try_get("", "access_token_enc").unwrap();
    let refresh: Vec<u8> = row.try_get("", "refresh_token_enc").unwrap();
    for (raw, plain) in [(&access, ACCESS), (&refresh, REFRESH)] {
        assert!(
            !contains(raw, plain.as_bytes()),
            "plaintext token in the database"
        );
        assert!(!contains(raw, b"PLAINTEXT"));
        assert_eq!(cipher().decrypt_str(raw).unwrap(), plain);
    }
    let tokens = calendar::tokens(db, &cipher(), conn.id).await.unwrap();
    assert_eq!(tokens.access_token, ACCESS);
    assert_eq!(tokens.refresh_token.as_deref(), Some(REFRESH));
    assert_eq!(tokens.expires_at, Some(t(12, 0)));
    assert!(!format!("{tokens:?}").contains("PLAINTEXT"));
    assert!(!format!("{conn:?}").contains("PLAINTEXT"));

    let other_key = TokenCipher::from_key_bytes([1u8; 32]);
    let err = calendar::tokens(db, &other_key, conn.id).await.unwrap_err();
    assert!(matches!(err, RepoError::Crypto(_)), "{err}");
}

/// A ciphertext changed in the database fails to open.
pub async fn tampered_token_fails_to_decrypt(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let conn = connect_google(db, f.user.id).await;
    let mut bytes = conn.access_token_enc.clone();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x80;
    calendar_connections::Entity::update_many()
        .col_expr(
            calendar_connections::Column::AccessTokenEnc,
            Expr::value(bytes),
        )
        .filter(calendar_connections::Column::Id.eq(conn.id))
        .exec(db)
        .await
        .unwrap();
    let err = calendar::tokens(db, &cipher(), conn.id).await.unwrap_err();
    assert!(matches!(err, RepoError::Crypto(_)), "{err}");
}

/// Reconnecting refreshes the row; re-auth, token refresh and sync cursor.
pub async fn calendar_reconnect_and_reauth(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let conn = connect_google(db, f.user.id).await;
    let marked = calendar::mark_needs_reauth(db, conn.id).await.unwrap();
    assert_eq!(marked.status, ConnectionStatus::NeedsReauth);
    assert!(calendar::list_active(db).await.unwrap().is_empty());

    let again = calendar::create_connection(
        db,
        &cipher(),
        calendar::NewConnection {
            user_id: f.user.id,
            provider: Provider::Google,
            account_email: "ann@example.com",
            access_token: "new-access",
            refresh_token: None,
            token_expires_at: None,
            scopes: "s",
        },
    )
    .await
    .unwrap();
    assert!(!again.created);
    assert_eq!(again.model.id, conn.id);
    assert_eq!(again.model.status, ConnectionStatus::Active);
    let tokens = calendar::tokens(db, &cipher(), conn.id).await.unwrap();
    assert_eq!(tokens.access_token, "new-access");
    assert_eq!(
        tokens.refresh_token.as_deref(),
        Some(REFRESH),
        "old refresh token kept"
    );

    calendar::update_tokens(db, &cipher(), conn.id, "third", Some("r2"), Some(t(13, 0)))
        .await
        .unwrap();
    let tokens = calendar::tokens(db, &cipher(), conn.id).await.unwrap();
    assert_eq!(
        (
            tokens.access_token.as_str(),
            tokens.refresh_token.as_deref()
        ),
        ("third", Some("r2"))
    );
    assert_eq!(tokens.expires_at, Some(t(13, 0)));

    calendar::set_sync_token(db, conn.id, Some("cursor-1"))
        .await
        .unwrap();
    let c = calendar::get_connection(db, conn.id).await.unwrap();
    assert_eq!(c.sync_token.as_deref(), Some("cursor-1"));
    assert_eq!(
        calendar::list_for_user(db, f.user.id).await.unwrap(),
        vec![c.clone()]
    );
    assert_eq!(calendar::list_active(db).await.unwrap(), vec![c]);
    let ms = calendar::create_connection(
        db,
        &cipher(),
        calendar::NewConnection {
            user_id: f.user.id,
            provider: Provider::Microsoft,
            account_email: "ann@example.com",
            access_token: "ms",
            refresh_token: None,
            token_expires_at: None,
            scopes: "Calendars.Read",
        },
    )
    .await
    .unwrap();
    assert!(ms.created);
    assert_eq!(
        calendar::tokens(db, &cipher(), ms.model.id)
            .await
            .unwrap()
            .refresh_token,
        None
    );
    let disc = calendar::set_status(db, ms.model.id, ConnectionStatus::Disconnected)
        .await
        .unwrap();
    assert_eq!(disc.status, ConnectionStatus::Disconnected);
    assert!(calendar::mark_needs_reauth(db, Uuid::new_v4())
        .await
        .unwrap_err()
        .is_not_found());
}

/// Events are keyed by (connection, provider id): a second sync updates.
pub async fn calendar_events_upsert_by_provider_id(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let conn = connect_google(db, f.user.id).await;
    let attendees = serde_json::json!([{"email": "ann@example.com", "response": "accepted"}]);
    let ev = |title: &'static str, status: &'static str| calendar::NewEvent {
        connection_id: conn.id,
        provider_event_id: "evt-1",
        title,
        starts_at: t(10, 0),
        ends_at: t(11, 0),
        meeting_url: Some("https://meet.google.com/abc-defg-hij"),
        organizer_email: Some("boss@example.com"),
        attendees: attendees.clone(),
        status,
        raw: serde_json::json!({"id": "evt-1", "summary": title}),
    };
    let first = calendar::upsert_event(db, ev("Weekly", "confirmed"))
        .await
        .unwrap();
    assert_eq!(first.title, "Weekly");
    assert_eq!(first.attendees, attendees);
    assert_eq!(first.starts_at, t(10, 0));
    let second = calendar::upsert_event(db, ev("Weekly (moved)", "cancelled"))
        .await
        .unwrap();
    assert_eq!(second.id, first.id);
    assert_eq!(second.title, "Weekly (moved)");
    assert_eq!(second.status, "cancelled");
    assert_eq!(second.raw["summary"], "Weekly (moved)");
    assert_eq!(
        calendar::get_event(db, conn.id, "evt-1").await.unwrap(),
        Some(second.clone())
    );
    let listed = calendar::list_events(db, conn.id, t(9, 0), t(12, 0))
        .await
        .unwrap();
    assert_eq!(listed, vec![second]);
    assert!(calendar::list_events(db, conn.id, t(10, 1), t(12, 0))
        .await
        .unwrap()
        .is_empty());
}

/// One meeting per (tenant, URL, start); a second upsert updates it.
pub async fn meetings_upsert_once_per_real_call(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let new = |title: &'static str, starts_at, ends_at| meetings::NewMeeting {
        tenant_id: f.tenant.id,
        platform: Platform::Meet,
        meeting_url: "https://meet.google.com/abc-defg-hij",
        title,
        starts_at,
        ends_at,
    };
    let again = meetings::upsert(db, new("Weekly sync", t(10, 0), t(11, 30)))
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.model.id, f.meeting.id);
    assert_eq!(again.model.title, "Weekly sync");
    assert_eq!(again.model.ends_at, t(11, 30));
    assert_eq!(again.model.platform(), Some(Platform::Meet));
    let next_week = meetings::upsert(
        db,
        new(
            "Weekly",
            t(10, 0) + Duration::days(7),
            t(11, 0) + Duration::days(7),
        ),
    )
    .await
    .unwrap();
    assert!(next_week.created);
    assert_ne!(next_week.model.id, f.meeting.id);
    assert_eq!(meetings::get(db, f.meeting.id).await.unwrap(), again.model);
    let listed = meetings::list_for_tenant(db, f.tenant.id, t(0, 0), t(0, 0) + Duration::days(30))
        .await
        .unwrap();
    assert_eq!(listed, vec![again.model, next_week.model]);
}

/// The whole happy path is stored, in order, with times and reasons.
pub async fn bot_full_legal_path_is_stored_in_order(db: &DatabaseConnection) {
    let f = fixture(db).await;
    assert_eq!(f.bot.state, "scheduled");
    assert_eq!(f.bot.version, 0);
    assert_eq!(
        bots::requesters(db, f.bot.id).await.unwrap(),
        vec![f.user.id]
    );
    bots::add_requester(db, f.bot.id, f.user.id).await.unwrap();
    assert_eq!(
        bots::requesters(db, f.bot.id).await.unwrap(),
        vec![f.user.id]
    );
    assert_eq!(
        bots::list_for_meeting(db, f.meeting.id).await.unwrap(),
        vec![f.bot.clone()]
    );
    let due = bots::list_in_state(db, BotState::Scheduled, t(10, 0), 10)
        .await
        .unwrap();
    assert_eq!(due, vec![f.bot.clone()]);
    assert!(bots::list_in_state(db, BotState::Scheduled, t(9, 0), 10)
        .await
        .unwrap()
        .is_empty());

    use BotState::*;
    let path: [(BotState, Option<EndReason>, Option<&str>); 6] = [
        (Launching, None, None),
        (Joining, None, Some("pid 4242")),
        (WaitingRoom, None, None),
        (Recording, None, None),
        (
            Leaving,
            Some(EndReason::AloneTimeout),
            Some("alone for 300 s"),
        ),
        (Done, Some(EndReason::AloneTimeout), None),
    ];
    let started = repo::now();
    for (to, reason, detail) in path {
        let step = bots::transition(db, f.bot.id, to, reason, detail)
            .await
            .unwrap();
        assert_eq!((step.to, step.reason), (to, reason));
    }
    let bot = bots::get(db, f.bot.id).await.unwrap();
    assert_eq!(bot.state(), Some(Done));
    assert_eq!(bot.end_reason(), Some(EndReason::AloneTimeout));
    assert_eq!(bot.version, 6);
    assert!(bot.updated_at >= started);

    let history = bots::history(db, f.bot.id).await.unwrap();
    let got: Vec<_> = history
        .iter()
        .map(|h| {
            (
                h.from_state(),
                h.to_state(),
                h.reason(),
                h.detail.as_deref(),
            )
        })
        .collect();
    let mut from = Scheduled;
    let want: Vec<_> = path
        .iter()
        .map(|(to, reason, detail)| {
            let row = (Some(from), Some(*to), *reason, *detail);
            from = *to;
            row
        })
        .collect();
    assert_eq!(got, want);
    for pair in history.windows(2) {
        assert!(pair[0].at <= pair[1].at, "times in order");
    }
    assert!(history[0].at >= started);
    assert_eq!(history.last().unwrap().at, bot.updated_at);
}

/// An illegal step returns the error and leaves state, version and history alone.
pub async fn illegal_transition_is_rejected_and_changes_nothing(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let err = bots::transition(db, f.bot.id, BotState::Recording, None, None)
        .await
        .unwrap_err();
    match err {
        RepoError::IllegalTransition(e) => {
            assert_eq!((e.from, e.to), (BotState::Scheduled, BotState::Recording))
        }
        other => panic!("expected IllegalTransition, got {other}"),
    }
    // A legal edge with a reason that does not fit is illegal too.
    let err = bots::transition(
        db,
        f.bot.id,
        BotState::Cancelled,
        Some(EndReason::MeetingEnded),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, RepoError::IllegalTransition(_)), "{err}");
    assert_eq!(bots::get(db, f.bot.id).await.unwrap(), f.bot);
    assert!(bots::history(db, f.bot.id).await.unwrap().is_empty());

    bots::transition(
        db,
        f.bot.id,
        BotState::Cancelled,
        Some(EndReason::Cancelled),
        Some("event deleted"),
    )
    .await
    .unwrap();
    let cancelled = bots::get(db, f.bot.id).await.unwrap();
    let err = bots::transition(db, f.bot.id, BotState::Launching, None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::IllegalTransition(_)),
        "terminal: {err}"
    );
    assert_eq!(bots::get(db, f.bot.id).await.unwrap(), cancelled);
    assert_eq!(bots::history(db, f.bot.id).await.unwrap().len(), 1);
    let missing = bots::transition(db, Uuid::new_v4(), BotState::Launching, None, None).await;
    assert!(missing.unwrap_err().is_not_found());
}

/// A writer that read an older version gets `Conflict` and changes nothing.
pub async fn stale_update_is_a_conflict(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let seen = bots::get(db, f.bot.id).await.unwrap();
    // Someone else moves the bot after we read it...
    bots::transition(db, f.bot.id, BotState::Launching, None, None)
        .await
        .unwrap();
    // ...so our update, made against what we saw, must not land.
    let err = bots::transition_at_version(
        db,
        f.bot.id,
        seen.version,
        BotState::Cancelled,
        Some(EndReason::Cancelled),
        None,
    )
    .await
    .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let now = bots::get(db, f.bot.id).await.unwrap();
    assert_eq!(now.state(), Some(BotState::Launching));
    assert_eq!(now.version, seen.version + 1);
    assert_eq!(bots::history(db, f.bot.id).await.unwrap().len(), 1);
    // With the current version it goes through.
    bots::transition_at_version(db, f.bot.id, now.version, BotState::Joining, None, None)
        .await
        .unwrap();
    assert_eq!(
        bots::get(db, f.bot.id).await.unwrap().version,
        now.version + 1
    );
}

/// Many writers race one step: exactly one wins, one transition is stored.
pub async fn concurrent_transitions_have_one_winner(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let db = db.clone();
        let id = f.bot.id;
        tasks.push(tokio::spawn(async move {
            bots::transition(&db, id, BotState::Launching, None, None).await
        }));
    }
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(RepoError::Conflict(_)) | Err(RepoError::IllegalTransition(_)) => {}
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(bots::history(db, f.bot.id).await.unwrap().len(), 1);
    assert_eq!(bots::get(db, f.bot.id).await.unwrap().version, 1);
}

/// A recording is stored once per bot, with its tracks.
pub async fn recordings_once_per_bot(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let tracks = vec![
        Track {
            name: "t0".into(),
            blob_key: "rec/t0.ogg".into(),
            speaker: Some("Ann".into()),
            offset_ms: 0,
        },
        Track {
            name: "t1".into(),
            blob_key: "rec/t1.ogg".into(),
            speaker: None,
            offset_ms: 95_000,
        },
    ];
    let first = recordings::insert_if_absent(db, f.bot.id, 61_000, "rec/mixed.ogg", &tracks)
        .await
        .unwrap();
    assert!(first.created);
    assert_eq!(recordings::tracks(&first.model).unwrap(), tracks);
    let second = recordings::insert_if_absent(db, f.bot.id, 5, "other.ogg", &[])
        .await
        .unwrap();
    assert!(!second.created);
    assert_eq!(second.model, first.model);
    assert_eq!(
        recordings::get(db, first.model.id).await.unwrap(),
        first.model
    );
    assert_eq!(
        recordings::for_bot(db, f.bot.id).await.unwrap(),
        Some(first.model)
    );
    assert_eq!(count(db, "recordings").await, 1);
}

fn segments() -> Vec<transcripts::NewSegment> {
    (0..3)
        .map(|i| transcripts::NewSegment {
            start_ms: i * 1000,
            end_ms: i * 1000 + 900,
            speaker: (i % 2 == 0).then(|| "Ann".to_owned()),
            text: format!("sentence {i}"),
            confidence: Some(0.5 + i as f64 / 10.0),
            language: None,
        })
        .collect()
}

async fn recording(db: &DatabaseConnection, bot_id: Uuid) -> Uuid {
    recordings::insert_if_absent(db, bot_id, 3000, "mixed.ogg", &[])
        .await
        .unwrap()
        .model
        .id
}

/// A second insert for the same recording returns the first transcript.
pub async fn transcripts_insert_if_absent_is_idempotent(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let rec = recording(db, f.bot.id).await;
    let new = transcripts::NewTranscript {
        recording_id: rec,
        language: "en",
        language_probability: Some(0.97),
        model: "whisper-tiny.en",
    };
    let first = transcripts::insert_if_absent(db, new.clone(), &segments())
        .await
        .unwrap();
    assert!(first.created);
    assert_eq!(first.model.language, "en");
    assert_eq!(first.model.language_probability, Some(0.97));
    let again = transcripts::insert_if_absent(
        db,
        transcripts::NewTranscript {
            language: "de",
            ..new
        },
        &segments()[..1],
    )
    .await
    .unwrap();
    assert!(!again.created);
    assert_eq!(again.model, first.model);
    assert_eq!(count(db, "transcripts").await, 1);
    assert_eq!(count(db, "transcript_segments").await, 3);
    let stored = transcripts::segments(db, first.model.id).await.unwrap();
    let got: Vec<_> = stored
        .iter()
        .map(|s| transcripts::NewSegment {
            start_ms: s.start_ms,
            end_ms: s.end_ms,
            speaker: s.speaker.clone(),
            text: s.text.clone(),
            confidence: s.confidence,
            language: s.language.clone(),
        })
        .collect();
    assert_eq!(got, segments());
    assert_eq!(
        stored.iter().map(|s| s.idx).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    assert_eq!(
        transcripts::get(db, first.model.id).await.unwrap(),
        first.model
    );
    assert_eq!(
        transcripts::for_recording(db, rec).await.unwrap(),
        Some(first.model)
    );
}

async fn transcript(db: &DatabaseConnection, bot_id: Uuid) -> Uuid {
    let rec = recording(db, bot_id).await;
    transcripts::insert_if_absent(
        db,
        transcripts::NewTranscript {
            recording_id: rec,
            language: "en",
            language_probability: None,
            model: "m",
        },
        &segments(),
    )
    .await
    .unwrap()
    .model
    .id
}

/// Templates (tenant and built-in) and one report per transcript and format.
pub async fn reports_and_templates_round_trip(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let builtin = reports::create_template(
        db,
        reports::NewTemplate {
            tenant_id: None,
            name: "default",
            kind: "full",
            locale: "en",
            body: "{{title}}",
        },
    )
    .await
    .unwrap();
    let dup = reports::create_template(
        db,
        reports::NewTemplate {
            tenant_id: None,
            name: "default",
            kind: "full",
            locale: "en",
            body: "x",
        },
    )
    .await;
    assert!(dup.unwrap_err().is_conflict());
    assert_eq!(
        reports::resolve_template(db, f.tenant.id, "default")
            .await
            .unwrap(),
        Some(builtin.clone())
    );
    let own = reports::create_template(
        db,
        reports::NewTemplate {
            tenant_id: Some(f.tenant.id),
            name: "default",
            kind: "full",
            locale: "ru",
            body: "<h1>{{title}}</h1>",
        },
    )
    .await
    .unwrap();
    let dup = reports::create_template(
        db,
        reports::NewTemplate {
            tenant_id: Some(f.tenant.id),
            name: "default",
            kind: "full",
            locale: "ru",
            body: "x",
        },
    )
    .await;
    assert!(dup.unwrap_err().is_conflict());
    assert_eq!(
        reports::resolve_template(db, f.tenant.id, "default")
            .await
            .unwrap(),
        Some(own.clone())
    );
    assert_eq!(reports::get_template(db, own.id).await.unwrap(), own);
    let listed = reports::list_templates(db, Some(f.tenant.id))
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        reports::list_templates(db, None).await.unwrap(),
        vec![builtin.clone()]
    );
    let edited = reports::update_template_body(db, own.id, "new body")
        .await
        .unwrap();
    assert_eq!(edited.body, "new body");
    assert!(edited.updated_at >= own.updated_at);

    let tr = transcript(db, f.bot.id).await;
    let html = reports::insert_if_absent(db, tr, ReportFormat::Html, "r/1.html", Some(own.id))
        .await
        .unwrap();
    assert!(html.created);
    let again = reports::insert_if_absent(db, tr, ReportFormat::Html, "r/2.html", None)
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.model, html.model);
    let pdf = reports::insert_if_absent(db, tr, ReportFormat::Pdf, "r/1.pdf", None)
        .await
        .unwrap();
    assert!(pdf.created);
    assert_eq!(
        reports::get(db, pdf.model.id).await.unwrap().format,
        ReportFormat::Pdf
    );
    assert_eq!(
        reports::list_for_transcript(db, tr).await.unwrap(),
        vec![html.model, pdf.model]
    );
}

async fn report(db: &DatabaseConnection, bot_id: Uuid) -> Uuid {
    let tr = transcript(db, bot_id).await;
    reports::insert_if_absent(db, tr, ReportFormat::Html, "r.html", None)
        .await
        .unwrap()
        .model
        .id
}

/// Claiming twice yields one row; sent is final.
pub async fn deliveries_are_claimed_once(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let rep = report(db, f.bot.id).await;
    let first = deliveries::claim(db, rep, "ann@example.com", Channel::Email, "<r1@mymeet>")
        .await
        .unwrap();
    assert!(first.created);
    assert_eq!(first.model.status, DeliveryStatus::Pending);
    let second = deliveries::claim(db, rep, "Ann@Example.com", Channel::Email, "<other@mymeet>")
        .await
        .unwrap();
    assert!(!second.created);
    assert_eq!(second.model, first.model);
    assert_eq!(
        second.model.message_id, "<r1@mymeet>",
        "the Message-ID is stable"
    );
    assert_eq!(count(db, "deliveries").await, 1);

    let failed = deliveries::mark_failed(db, first.model.id, "421 try later")
        .await
        .unwrap();
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.last_error.as_deref(), Some("421 try later"));
    let sent = deliveries::mark_sent(db, first.model.id).await.unwrap();
    assert_eq!(sent.status, DeliveryStatus::Sent);
    assert_eq!(sent.attempts, 2);
    assert!(sent.sent_at.is_some());
    assert_eq!(sent.last_error, None);
    assert!(deliveries::mark_sent(db, first.model.id)
        .await
        .unwrap_err()
        .is_conflict());
    let after = deliveries::mark_failed(db, first.model.id, "late")
        .await
        .unwrap();
    assert_eq!(after, sent, "a sent delivery stays sent");
    let claimed = deliveries::claim(db, rep, "ann@example.com", Channel::Email, "<r1@mymeet>")
        .await
        .unwrap();
    assert_eq!(claimed.model.status, DeliveryStatus::Sent);
    let bob = deliveries::claim(db, rep, "bob@example.com", Channel::Email, "<r2@mymeet>")
        .await
        .unwrap();
    assert!(bob.created);
    assert_eq!(
        deliveries::list_for_report(db, rep).await.unwrap(),
        vec![sent, bob.model]
    );
}

/// Racing claims for one recipient all get the same single row.
pub async fn concurrent_delivery_claims_yield_one_row(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let rep = report(db, f.bot.id).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            deliveries::claim(
                &db,
                rep,
                "ann@example.com",
                Channel::Email,
                &format!("<m{i}@x>"),
            )
            .await
        }));
    }
    let mut ids = Vec::new();
    let mut created = 0;
    for task in tasks {
        let c = task.await.unwrap().unwrap();
        created += usize::from(c.created);
        ids.push(c.model.id);
    }
    assert_eq!(created, 1);
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(count(db, "deliveries").await, 1);
}

/// Webhooks: sealed secret, subscriptions, one delivery per event.
pub async fn webhooks_round_trip(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let secret = "whsec_PLAINTEXT_secret";
    let hook = webhooks::create(
        db,
        &cipher(),
        f.tenant.id,
        "https://example.com/hook",
        secret,
        &["bot.state_changed", "report.ready"],
    )
    .await
    .unwrap();
    assert!(hook.active);
    assert!(!contains(&hook.secret_enc, secret.as_bytes()));
    let row = query_by_id(db, "SELECT secret_enc FROM webhooks WHERE id = ?", hook.id).await;
    let raw: Vec<u8> = row.try_get("", "secret_enc").unwrap();
    assert!(!contains(&raw, secret.as_bytes()));
    assert_eq!(
        webhooks::secret(db, &cipher(), hook.id).await.unwrap(),
        secret
    );
    assert_eq!(webhooks::get(db, hook.id).await.unwrap(), hook);
    let all = webhooks::create(
        db,
        &cipher(),
        f.tenant.id,
        "https://example.com/all",
        "s",
        &["*"],
    )
    .await
    .unwrap();
    let subs: Vec<Uuid> = webhooks::subscribers(db, f.tenant.id, "report.ready")
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(subs, vec![hook.id, all.id]);
    let subs: Vec<Uuid> = webhooks::subscribers(db, f.tenant.id, "other")
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(subs, vec![all.id]);
    webhooks::set_active(db, all.id, false).await.unwrap();
    assert!(webhooks::subscribers(db, f.tenant.id, "other")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        webhooks::list_for_tenant(db, f.tenant.id)
            .await
            .unwrap()
            .len(),
        2
    );

    let event = Uuid::new_v4();
    let d = webhooks::claim_delivery(db, hook.id, event, "report.ready")
        .await
        .unwrap();
    assert!(d.created);
    assert_eq!(d.model.status, WebhookDeliveryStatus::Pending);
    let again = webhooks::claim_delivery(db, hook.id, event, "report.ready")
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.model.id, d.model.id);
    let failed = webhooks::mark_delivery_failed(db, d.model.id, Some(503), "unavailable")
        .await
        .unwrap();
    assert_eq!(
        (failed.status, failed.attempts, failed.response_status),
        (WebhookDeliveryStatus::Failed, 1, Some(503))
    );
    let ok = webhooks::mark_delivered(db, d.model.id, 204).await.unwrap();
    assert_eq!(
        (ok.status, ok.attempts, ok.response_status),
        (WebhookDeliveryStatus::Delivered, 2, Some(204))
    );
    assert!(ok.delivered_at.is_some());
    assert_eq!(ok.last_error, None);
    assert_eq!(webhooks::get_delivery(db, d.model.id).await.unwrap(), ok);
    assert_eq!(count(db, "webhook_deliveries").await, 1);
}

/// Deleting a tenant removes what belongs to it (foreign keys cascade).
pub async fn deleting_a_tenant_cascades(db: &DatabaseConnection) {
    let f = fixture(db).await;
    let other = fixture(db).await;
    connect_google(db, f.user.id).await;
    api_keys::create(db, f.tenant.id, Some(f.user.id), "k")
        .await
        .unwrap();
    bots::transition(db, f.bot.id, BotState::Launching, None, None)
        .await
        .unwrap();
    let rep = report(db, f.bot.id).await;
    deliveries::claim(db, rep, "ann@example.com", Channel::Email, "<m@x>")
        .await
        .unwrap();
    webhooks::create(db, &cipher(), f.tenant.id, "https://x", "s", &["*"])
        .await
        .unwrap();

    tenant_entity::Entity::delete_by_id(f.tenant.id)
        .exec(db)
        .await
        .unwrap();
    for table in TABLES {
        let n = count(db, table).await;
        let expected = match table {
            // The other fixture: tenant, user, meeting, bot, requester.
            "tenants" | "users" | "meetings" | "bots" | "bot_requesters" => 1,
            _ => 0,
        };
        assert_eq!(n, expected, "rows left in {table}");
    }
    assert_eq!(bots::get(db, other.bot.id).await.unwrap(), other.bot);
}
