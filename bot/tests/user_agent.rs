//! The bot's default browser presents itself as desktop Chromium: no
//! "Headless" in `navigator.userAgent` or in the client-hint brands, which
//! join pages that screen out bots read.

mod support;

use mymeet_bot::browser::BotBrowser;
use mymeet_bot::BotConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_sees_no_headless_mark() {
    let url = support::serve_page("<!doctype html><title>ua</title>".to_owned());
    let config = BotConfig::new(url.clone(), "unused");
    let browser = BotBrowser::launch(&config.chromium, &[])
        .await
        .expect("the default browser launches (scripts/setup installs it)");
    let page = browser.page_with_script("").await.expect("a page");
    page.goto(url).await.expect("the page loads");
    let seen: Vec<String> = page
        .evaluate(
            "[navigator.userAgent, navigator.platform, \
              ...navigator.userAgentData.brands.map((b) => `${b.brand}/${b.version}`)]",
        )
        .await
        .expect("evaluate")
        .into_value()
        .expect("strings");
    browser.close().await;

    assert!(seen.iter().all(|s| !s.contains("Headless")), "{seen:?}");
    assert!(seen[0].contains(" Chrome/"), "{seen:?}");
    assert_eq!(seen[1], "Linux x86_64", "{seen:?}");
    let major = seen[0]
        .split(" Chrome/")
        .nth(1)
        .and_then(|v| v.split('.').next())
        .expect("a Chrome version");
    assert!(
        seen.contains(&format!("Chromium/{major}")),
        "the brands carry the same version as the user agent: {seen:?}"
    );
}
