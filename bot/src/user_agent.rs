//! The user agent the bot presents: the browser's own, without the
//! "Headless" mark.
//!
//! Headless Chromium calls itself `HeadlessChrome` in the `User-Agent`
//! header, in `navigator.userAgent` and in the client-hint brands; join
//! pages that screen out bots read exactly these. The bot presents the same
//! browser, version and platform as a desktop Chromium would.

use chromiumoxide::cdp::browser_protocol::emulation::{
    SetUserAgentOverrideParams, UserAgentBrandVersion, UserAgentMetadata,
};

/// The override for a browser whose `Browser.getVersion` returned
/// `user_agent` and `product` (`HeadlessChrome/156.0.8078.108`).
pub fn unmarked_user_agent(user_agent: &str, product: &str) -> SetUserAgentOverrideParams {
    let full_version = product.split_once('/').map_or("", |(_, v)| v);
    let major = full_version.split('.').next().unwrap_or_default();
    let brands = |version: &str| {
        vec![
            UserAgentBrandVersion::new("Chromium", version),
            // The GREASE brand every Chromium lists, so the list parses as usual.
            UserAgentBrandVersion::new("Not_A Brand", "24"),
        ]
    };
    SetUserAgentOverrideParams {
        user_agent: user_agent.replace("HeadlessChrome", "Chrome"),
        accept_language: Some("en-US,en".into()),
        platform: Some("Linux x86_64".into()),
        user_agent_metadata: Some(UserAgentMetadata {
            brands: Some(brands(major)),
            full_version_list: Some(brands(full_version)),
            platform: "Linux".into(),
            platform_version: String::new(),
            architecture: "x86".into(),
            model: String::new(),
            mobile: false,
            bitness: Some("64".into()),
            wow64: Some(false),
            form_factors: Some(vec!["Desktop".into()]),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_the_headless_mark_and_keeps_the_version() {
        let ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                  HeadlessChrome/156.0.0.0 Safari/537.36";
        let o = unmarked_user_agent(ua, "HeadlessChrome/156.0.8078.108");
        assert_eq!(
            o.user_agent,
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/156.0.0.0 Safari/537.36"
        );
        let meta = o.user_agent_metadata.expect("client hints");
        let brands = meta.brands.expect("brands");
        assert_eq!(brands[0].brand, "Chromium");
        assert_eq!(brands[0].version, "156");
        assert_eq!(
            meta.full_version_list.expect("full versions")[0].version,
            "156.0.8078.108"
        );
    }
}
