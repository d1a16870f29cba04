//! Which platform a meeting link belongs to, and the URL the bot opens.

use mymeet_core::domain::Platform;
use std::str::FromStr;
use url::Url;

/// A configured host (with optional port) that serves one platform's pages,
/// such as a testbed's `127.0.0.1:4001=meet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAlias {
    /// Host name or address, lower case.
    pub host: String,
    /// The port; `None` matches any port.
    pub port: Option<u16>,
    /// The platform its pages follow.
    pub platform: Platform,
}

/// Why a link could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DetectError {
    /// Not a URL at all.
    #[error("not a meeting URL: {0}")]
    NotAUrl(String),
    /// A URL of no known platform and no alias.
    #[error("no platform recognises {0} (add a host alias HOST[:PORT]=meet|teams|zoom)")]
    UnknownPlatform(String),
    /// A malformed `--host-alias`.
    #[error("bad host alias {0:?}: expected HOST[:PORT]=meet|teams|zoom")]
    BadAlias(String),
}

impl FromStr for HostAlias {
    type Err = DetectError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DetectError::BadAlias(s.to_owned());
        let (host_port, platform) = s.split_once('=').ok_or_else(bad)?;
        let platform: Platform = platform.trim().parse().map_err(|_| bad())?;
        let (host, port) = match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p.parse::<u16>().map_err(|_| bad())?)),
            None => (host_port, None),
        };
        if host.is_empty() {
            return Err(bad());
        }
        Ok(HostAlias {
            host: host.to_ascii_lowercase(),
            port,
            platform,
        })
    }
}

/// A link resolved to its platform and the page the browser opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingTarget {
    /// The platform.
    pub platform: Platform,
    /// The URL to open (Zoom links rewritten to the web client).
    pub join_url: Url,
}

/// Resolves `link`: aliases first, then the platforms' own hosts.
pub fn detect(link: &str, aliases: &[HostAlias]) -> Result<MeetingTarget, DetectError> {
    let url = Url::parse(link.trim()).map_err(|_| DetectError::NotAUrl(link.to_owned()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(DetectError::NotAUrl(link.to_owned()));
    }
    let host = url
        .host_str()
        .ok_or_else(|| DetectError::NotAUrl(link.to_owned()))?
        .to_ascii_lowercase();
    let port = url.port_or_known_default();
    let aliased = aliases
        .iter()
        .find(|a| a.host == host && a.port.is_none_or(|p| Some(p) == port))
        .map(|a| a.platform);
    let platform = aliased
        .or_else(|| platform_of_host(&host, url.path()))
        .ok_or_else(|| DetectError::UnknownPlatform(link.to_owned()))?;
    let join_url = match platform {
        Platform::Zoom => zoom_web_client(&url),
        _ => url,
    };
    Ok(MeetingTarget { platform, join_url })
}

fn platform_of_host(host: &str, path: &str) -> Option<Platform> {
    if host == "meet.google.com" {
        return Some(Platform::Meet);
    }
    if (host == "teams.microsoft.com" && path.starts_with("/l/meetup-join/"))
        || (host == "teams.live.com" && path.starts_with("/meet/"))
    {
        return Some(Platform::Teams);
    }
    if (host == "zoom.us" || host.ends_with(".zoom.us"))
        && (path.starts_with("/j/") || path.starts_with("/wc/") || path.starts_with("/s/"))
    {
        return Some(Platform::Zoom);
    }
    None
}

/// `/j/<id>?pwd=…` → `/wc/<id>/join?pwd=…` on the same host, or on
/// `app.zoom.us` for Zoom's own hosts (PLATFORMS.md, Zoom 1).
fn zoom_web_client(url: &Url) -> Url {
    let Some(id) = url.path().strip_prefix("/j/") else {
        return url.clone();
    };
    let id = id.trim_end_matches('/');
    let mut out = url.clone();
    if url
        .host_str()
        .is_some_and(|h| h == "zoom.us" || h.ends_with(".zoom.us"))
    {
        // A known-good host name; setting it cannot fail.
        let _ = out.set_host(Some("app.zoom.us"));
    }
    out.set_path(&format!("/wc/{id}/join"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(link: &str) -> Result<Platform, DetectError> {
        detect(link, &[]).map(|t| t.platform)
    }

    #[test]
    fn recognises_each_platforms_links() {
        assert_eq!(
            platform("https://meet.google.com/abc-defg-hij"),
            Ok(Platform::Meet)
        );
        assert_eq!(
            platform("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0"),
            Ok(Platform::Teams)
        );
        assert_eq!(
            platform("https://teams.live.com/meet/9381234"),
            Ok(Platform::Teams)
        );
        assert_eq!(
            platform("https://us05web.zoom.us/j/8512345678?pwd=abc"),
            Ok(Platform::Zoom)
        );
        assert_eq!(platform("https://zoom.us/j/123"), Ok(Platform::Zoom));
    }

    #[test]
    fn rejects_other_links() {
        assert!(matches!(
            platform("https://example.com/j/1"),
            Err(DetectError::UnknownPlatform(_))
        ));
        assert!(matches!(
            platform("https://teams.microsoft.com/"),
            Err(DetectError::UnknownPlatform(_))
        ));
        assert!(matches!(
            platform("https://evilzoom.us/j/1"),
            Err(DetectError::UnknownPlatform(_))
        ));
        assert!(matches!(
            platform("meet.google.com/abc"),
            Err(DetectError::NotAUrl(_))
        ));
        assert!(matches!(
            platform("ftp://meet.google.com/abc"),
            Err(DetectError::NotAUrl(_))
        ));
    }

    #[test]
    fn zoom_links_open_the_web_client_with_the_password() {
        let t = detect("https://us05web.zoom.us/j/8512345678?pwd=s3cret", &[]).unwrap();
        assert_eq!(
            t.join_url.as_str(),
            "https://app.zoom.us/wc/8512345678/join?pwd=s3cret"
        );
    }

    #[test]
    fn aliases_map_hosts_and_ports() {
        let aliases: Vec<HostAlias> = [
            "127.0.0.1:4001=meet",
            "127.0.0.1:4003=zoom",
            "bed.local=teams",
        ]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
        let meet = detect("http://127.0.0.1:4001/abc-defg-hij", &aliases).unwrap();
        assert_eq!(meet.platform, Platform::Meet);
        let zoom = detect("http://127.0.0.1:4003/j/77?pwd=x", &aliases).unwrap();
        assert_eq!(zoom.platform, Platform::Zoom);
        assert_eq!(
            zoom.join_url.as_str(),
            "http://127.0.0.1:4003/wc/77/join?pwd=x"
        );
        assert_eq!(
            detect("http://bed.local:9/x", &aliases).unwrap().platform,
            Platform::Teams
        );
        assert!(detect("http://127.0.0.1:4002/x", &aliases).is_err());
    }

    #[test]
    fn bad_aliases_are_errors() {
        for bad in ["127.0.0.1", "=meet", "h:port=meet", "h=skype"] {
            assert!(bad.parse::<HostAlias>().is_err(), "{bad}");
        }
    }
}
