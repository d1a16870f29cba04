//! Database rows for the wired bot's tests.

use mymeet_bot::wired::BotIds;
use mymeet_core::db::repo::{bots, meetings, tenants};
use mymeet_core::db::Db;
use mymeet_core::domain::{BotState, Platform};
use std::time::Duration;
use uuid::Uuid;

/// A meeting at `url` (in a fresh tenant) and its bot, launched as the launcher does.
pub async fn bot_for(db: &Db, url: &str) -> BotIds {
    let slug = format!("t{}", Uuid::new_v4().simple());
    let tenant = tenants::create(db, "Test", &slug).await.unwrap();
    let now = chrono::Utc::now();
    let meeting = meetings::upsert(
        db,
        meetings::NewMeeting {
            tenant_id: tenant.id,
            platform: Platform::Meet,
            meeting_url: url,
            title: "Weekly",
            starts_at: now,
            ends_at: now + chrono::Duration::minutes(30),
        },
    )
    .await
    .unwrap()
    .model;
    let bot = bots::create(db, meeting.id, now, &[]).await.unwrap();
    bots::transition(db, bot.id, BotState::Launching, None, None)
        .await
        .unwrap();
    BotIds {
        bot_id: bot.id,
        meeting_id: meeting.id,
        launch: 1,
    }
}

/// Waits (up to 60 s) until bot `bot_id`'s row is in `state`.
pub async fn until_row(db: &Db, bot_id: Uuid, state: BotState) {
    for _ in 0..600 {
        if bots::get(db, bot_id).await.unwrap().state() == Some(state) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("bot {bot_id} never reached {state}");
}
