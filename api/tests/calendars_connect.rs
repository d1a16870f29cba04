//! The connect flow through the real routes against the provider stand-ins:
//! start → the provider's consent (PKCE challenge, state) → callback → code
//! exchange with the verifier → tokens stored sealed → redirect to the app,
//! and the first sync (requested over the bus) sees the account's events.

mod support;

use mymeet_core::db::entities::calendar_connections::{ConnectionStatus, Provider};
use mymeet_core::db::repo::{calendar, calendar_sync};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use support::{at, google_event, query_param, with_query, world, World};
use uuid::Uuid;

/// The browser's trip: returns (provider authorize URL, state cookie).
async fn start(w: &World, provider: &str, token: &str) -> (String, String) {
    let res = w
        .http
        .get(with_query(
            &format!("{}/v1/calendars/{provider}/connect", w.api),
            &[("token", token)],
        ))
        .send()
        .await
        .expect("connect");
    assert_eq!(res.status(), 302, "{:?}", res.text().await);
    let location = res.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let cookie = res.headers()[SET_COOKIE]
        .to_str()
        .expect("cookie")
        .to_owned();
    let pair = cookie.split(';').next().expect("name=value").to_owned();
    (location, pair)
}

/// The provider's consent page answers with a redirect to our callback.
async fn consent(w: &World, authorize: &str) -> String {
    let res = w.http.get(authorize).send().await.expect("authorize");
    assert_eq!(res.status(), 302);
    res.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_owned()
}

#[tokio::test]
async fn google_connect_stores_sealed_tokens_and_the_first_sync_sees_the_events() {
    let mut w = world(false).await;
    w.run_sync_consumer();
    let email = "ann@example.com";
    {
        let mut st = w.stub.state();
        st.add_google_account(email);
        st.consent_as(mymeet_providers_stub::Provider::Google, email);
        st.calendar(email, email)
            .put(google_event("kickoff", email, at(24), "abc-defg-hij"));
    }
    let user = w.user(email).await;
    let (authorize, cookie) = start(&w, "google", &w.token(user)).await;

    // The authorize request: PKCE S256, our state, our callback, offline access.
    assert!(
        authorize.starts_with(&w.stub.google_auth_url()),
        "{authorize}"
    );
    let state = query_param(&authorize, "state").expect("state");
    assert_eq!(cookie, format!("mymeet_oauth_google={state}"));
    assert_eq!(
        query_param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(query_param(&authorize, "code_challenge").is_some_and(|c| c.len() >= 43));
    assert_eq!(
        query_param(&authorize, "access_type").as_deref(),
        Some("offline")
    );
    assert_eq!(
        query_param(&authorize, "redirect_uri"),
        Some(format!("{}/v1/calendars/google/callback", w.api))
    );
    assert!(query_param(&authorize, "scope").is_some_and(|s| s.contains("calendar.readonly")));

    let callback = consent(&w, &authorize).await;
    assert!(callback.starts_with(&format!("{}/v1/calendars/google/callback", w.api)));
    let res = w
        .http
        .get(&callback)
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("callback");
    assert_eq!(res.status(), 303, "{:?}", res.text().await);
    let back = res.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(
        back.starts_with("https://app.example.com/settings/calendars?"),
        "{back}"
    );
    assert_eq!(query_param(&back, "status").as_deref(), Some("connected"));
    assert_eq!(query_param(&back, "calendar").as_deref(), Some("google"));
    let conn: Uuid = query_param(&back, "connection")
        .expect("connection id")
        .parse()
        .expect("uuid");
    let cleared = res.headers()[SET_COOKIE].to_str().expect("cookie");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    // Stored for this user and account, tokens sealed at rest.
    let stored = calendar::get_connection(&w.db, conn).await.expect("stored");
    assert_eq!(stored.user_id, user);
    assert_eq!(stored.provider, Provider::Google);
    assert_eq!(stored.account_email, email);
    assert_eq!(stored.status, ConnectionStatus::Active);
    let tokens = calendar::tokens(&w.db, &w.cipher, conn)
        .await
        .expect("open");
    let refresh = tokens
        .refresh_token
        .clone()
        .expect("a refresh token (offline access)");
    assert!(
        w.stub.state().refresh_token_valid(&refresh),
        "the stub issued it"
    );
    let sealed = stored
        .refresh_token_enc
        .clone()
        .expect("sealed refresh token");
    for (plain, sealed) in [
        (refresh.as_bytes(), sealed.as_slice()),
        (
            tokens.access_token.as_bytes(),
            stored.access_token_enc.as_slice(),
        ),
    ] {
        assert!(
            !sealed.windows(plain.len()).any(|w| w == plain),
            "a token is stored in clear"
        );
    }
    assert!(tokens.expires_at.is_some());

    // The first sync was asked for over the bus; it finds the event.
    w.eventually("the first sync stores the event", || async {
        calendar::get_event(&w.db, conn, &format!("{email}/kickoff"))
            .await
            .expect("read")
            .is_some_and(|e| e.meeting_url.is_some_and(|u| u.contains("abc-defg-hij")))
    })
    .await;

    // A state works once.
    let again = w
        .http
        .get(&callback)
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("replay");
    assert_eq!(again.status(), 400);
}

#[tokio::test]
async fn microsoft_connect_reads_the_account_from_graph() {
    let w = world(false).await;
    let email = "bo@contoso.com";
    {
        let mut st = w.stub.state();
        st.add_microsoft_account(email);
        st.consent_as(mymeet_providers_stub::Provider::Microsoft, email);
    }
    let user = w.user(email).await;
    let (authorize, cookie) = start(&w, "microsoft", &w.token(user)).await;
    assert!(
        authorize.starts_with(&w.stub.microsoft_auth_url()),
        "{authorize}"
    );
    assert!(query_param(&authorize, "scope").is_some_and(|s| s.contains("offline_access")));
    let callback = consent(&w, &authorize).await;
    let res = w
        .http
        .get(&callback)
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("callback");
    assert_eq!(res.status(), 303);
    let back = res.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(
        query_param(&back, "status").as_deref(),
        Some("connected"),
        "{back}"
    );
    let conns = calendar::list_for_user(&w.db, user).await.expect("list");
    assert_eq!(conns.len(), 1);
    assert_eq!(conns[0].provider, Provider::Microsoft);
    assert_eq!(conns[0].account_email, email);
}

#[tokio::test]
async fn a_callback_from_another_browser_or_without_a_user_token_is_refused() {
    let w = world(false).await;
    let email = "cy@example.com";
    {
        let mut st = w.stub.state();
        st.add_google_account(email);
        st.consent_as(mymeet_providers_stub::Provider::Google, email);
    }
    let user = w.user(email).await;

    // No token, a forged token.
    let bare = w
        .http
        .get(format!("{}/v1/calendars/google/connect", w.api))
        .send()
        .await
        .expect("connect");
    assert_eq!(bare.status(), 401);
    let forged = w
        .http
        .get(with_query(
            &format!("{}/v1/calendars/google/connect", w.api),
            &[("token", "AAAA")],
        ))
        .send()
        .await
        .expect("connect");
    assert_eq!(forged.status(), 401);
    let unknown = w
        .http
        .get(with_query(
            &format!("{}/v1/calendars/yahoo/connect", w.api),
            &[("token", &w.token(user))],
        ))
        .send()
        .await
        .expect("connect");
    assert_eq!(unknown.status(), 404);

    let (authorize, cookie) = start(&w, "google", &w.token(user)).await;
    let callback = consent(&w, &authorize).await;
    // Without the cookie (someone else's browser), or with another state's.
    for jar in [None, Some("mymeet_oauth_google=someone-elses-state")] {
        let mut req = w.http.get(&callback);
        if let Some(c) = jar {
            req = req.header(COOKIE, c);
        }
        let res = req.send().await.expect("callback");
        assert_eq!(res.status(), 400);
    }
    assert!(calendar::list_for_user(&w.db, user)
        .await
        .expect("list")
        .is_empty());
    // The refused attempts did not use the state up: the right browser finishes.
    let res = w
        .http
        .get(&callback)
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("callback");
    assert_eq!(res.status(), 303);
    assert_eq!(
        calendar::list_for_user(&w.db, user)
            .await
            .expect("list")
            .len(),
        1
    );
}

#[tokio::test]
async fn a_denied_consent_goes_back_to_the_app_with_the_error() {
    let w = world(false).await;
    let user = w.user("dee@example.com").await;
    // No account consents at the stub: it answers access_denied.
    let (authorize, cookie) = start(&w, "google", &w.token(user)).await;
    let callback = consent(&w, &authorize).await;
    assert_eq!(
        query_param(&callback, "error").as_deref(),
        Some("access_denied")
    );
    let res = w
        .http
        .get(&callback)
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("callback");
    assert_eq!(res.status(), 303);
    let back = res.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(query_param(&back, "status").as_deref(), Some("error"));
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("access_denied")
    );
    assert!(calendar::list_for_user(&w.db, user)
        .await
        .expect("list")
        .is_empty());
    // The state is used up.
    let state = query_param(&authorize, "state").expect("state");
    assert!(calendar_sync::take_oauth_state(&w.db, &w.cipher, &state)
        .await
        .expect("read")
        .is_none());
}
