//! Meeting-link extraction over real-world invitation texts: what Zoom,
//! Google Meet and Microsoft Teams paste into events, including the links
//! that must not be taken for a meeting.

use mymeet_integrations::links::{
    find_in_text, from_event_json, from_google_event, from_graph_event, parse_url, MeetingLink,
    Platform,
};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/links/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn json(name: &str) -> serde_json::Value {
    serde_json::from_str(&data(name)).unwrap_or_else(|e| panic!("parse {name}: {e}"))
}

/// What one case must yield: nothing, or exactly this first meeting.
type Expect = Option<(Platform, &'static str, &'static str, Option<&'static str>)>;

const TEAMS_THREAD: &str = "19:meeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj@thread.v2";
const TEAMS_URL: &str = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj%40thread.v2/0?context=%7b%22Oid%22%3a%224a3ce3f7-4b24-4a0e-a6a5-1ae58b2d1a6c%22%2c%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%7d";

fn text_cases() -> Vec<(&'static str, String, Expect)> {
    use Platform::*;
    let s = |x: &str| x.to_owned();
    vec![
        // ---- Zoom ----
        (
            "zoom scheduled-meeting invitation (regional host, .ics and /u/ links around it)",
            data("zoom_scheduled_invite.txt"),
            Some((Zoom, "https://zoom.us/j/85312345678?pwd=aBcDeFgHiJkLmNoPqRsTuVwXyZ012345.1", "85312345678", Some("417293"))),
        ),
        (
            "zoom invitation pasted into Outlook HTML (vanity host, &amp; in href)",
            data("zoom_invite_outlook.html"),
            Some((Zoom, "https://zoom.us/j/93456789012?pwd=Q2xvdWRzQW5kU3Vuc2hpbmUxMjM0NTY3ODkw", "93456789012", Some("Sun&Sky9"))),
        ),
        (
            "bare zoom link without password",
            s("Call: https://zoom.us/j/5551234567"),
            Some((Zoom, "https://zoom.us/j/5551234567", "5551234567", None)),
        ),
        (
            "zoom link without scheme",
            s("dial in or use zoom.us/j/98765432101 to join."),
            Some((Zoom, "https://zoom.us/j/98765432101", "98765432101", None)),
        ),
        (
            "zoom vanity subdomain with upper-case host",
            s("https://Company.Zoom.US/j/91234567890?pwd=TWFueVRva2Vucw"),
            Some((Zoom, "https://zoom.us/j/91234567890?pwd=TWFueVRva2Vucw", "91234567890", None)),
        ),
        (
            "zoom personal meeting room link",
            s("My room is always open: https://zoom.us/my/Jane.Doe"),
            Some((Zoom, "https://zoom.us/my/jane.doe", "jane.doe", None)),
        ),
        (
            "zoom webinar with registrant token",
            s("Webinar: https://us02web.zoom.us/w/82123456789?tk=XyZabc123.DQMAAAA&pwd=V2ViaW5hcg"),
            Some((Zoom, "https://zoom.us/w/82123456789?tk=XyZabc123.DQMAAAA&pwd=V2ViaW5hcg", "82123456789", None)),
        ),
        (
            "zoommtg desktop-client link",
            s("Open in app: zoommtg://zoom.us/join?action=join&confno=85312345678&pwd=aBcDeF123"),
            Some((Zoom, "https://zoom.us/j/85312345678?pwd=aBcDeF123", "85312345678", None)),
        ),
        (
            "zoom web-client link",
            s("Browser: https://app.zoom.us/wc/join/85312345678?pwd=aBcDeF123"),
            Some((Zoom, "https://zoom.us/j/85312345678?pwd=aBcDeF123", "85312345678", None)),
        ),
        (
            "zoom meeting written out only (id + passcode, no link)",
            s("Zoom call with the vendor\nMeeting ID: 812 3456 7890\nPasscode: 662091\n"),
            Some((Zoom, "https://zoom.us/j/81234567890", "81234567890", Some("662091"))),
        ),
        (
            "zoom 9-digit id written with old 'Password' label",
            s("Zoom Meeting ID: 123-456-789 Password: 4321"),
            Some((Zoom, "https://zoom.us/j/123456789", "123456789", Some("4321"))),
        ),
        (
            "zoom for government",
            s("https://zoomgov.com/j/1612345678?pwd=R292Q2xvdWQ"),
            Some((Zoom, "https://zoomgov.com/j/1612345678?pwd=R292Q2xvdWQ", "1612345678", None)),
        ),
        (
            "zoom link behind Proofpoint URL Defense",
            s("https://urldefense.com/v3/__https://zoom.us/j/97712345678?pwd=SGVsbG8__;!!ABCdef!Zk4x$"),
            Some((Zoom, "https://zoom.us/j/97712345678?pwd=SGVsbG8", "97712345678", None)),
        ),
        (
            "zoom link at the end of a sentence in parentheses",
            s("(join at https://zoom.us/j/97712345678.)"),
            Some((Zoom, "https://zoom.us/j/97712345678", "97712345678", None)),
        ),
        // ---- Google Meet ----
        (
            "meet invitation text (docs link, tel.meet and support links around it)",
            data("meet_invite.txt"),
            Some((Meet, "https://meet.google.com/xkd-qpwr-mzt", "xkd-qpwr-mzt", None)),
        ),
        (
            "legacy meet invitation text",
            data("meet_invite_legacy.txt"),
            Some((Meet, "https://meet.google.com/bvn-ywuh-kcs", "bvn-ywuh-kcs", None)),
        ),
        (
            "meet link with authuser noise",
            s("https://meet.google.com/abc-defg-hij?authuser=1"),
            Some((Meet, "https://meet.google.com/abc-defg-hij", "abc-defg-hij", None)),
        ),
        (
            "meet link with hs and pli noise",
            s("https://meet.google.com/abc-defg-hij?pli=1&hs=122&ijlm=1700000000000"),
            Some((Meet, "https://meet.google.com/abc-defg-hij", "abc-defg-hij", None)),
        ),
        (
            "meet link upper-case, no scheme",
            s("Video: MEET.GOOGLE.COM/ABC-DEFG-HIJ"),
            Some((Meet, "https://meet.google.com/abc-defg-hij", "abc-defg-hij", None)),
        ),
        (
            "meet code without dashes",
            s("https://meet.google.com/abcdefghij"),
            Some((Meet, "https://meet.google.com/abc-defg-hij", "abc-defg-hij", None)),
        ),
        (
            "meet link as an HTML anchor in a Google description",
            s(r#"Join: <a href="https://meet.google.com/abc-defg-hij?hs=224" target="_blank">meet.google.com/abc-defg-hij</a><br>"#),
            Some((Meet, "https://meet.google.com/abc-defg-hij", "abc-defg-hij", None)),
        ),
        (
            "meet link behind Google's /url redirect",
            s("https://www.google.com/url?q=https://meet.google.com/abc-defg-hij&sa=D&source=calendar&ust=1709650000000000&usg=AOvVaw3x"),
            Some((Meet, "https://meet.google.com/abc-defg-hij", "abc-defg-hij", None)),
        ),
        // ---- Teams ----
        (
            "teams invitation body from Graph (HTML, help/options/dial-in links around it)",
            data("teams_invite_graph_body.html"),
            Some((Teams, TEAMS_URL, TEAMS_THREAD, None)),
        ),
        (
            "teams invitation, new meet link, plain text",
            data("teams_invite_plain.txt"),
            Some((Teams, "https://teams.microsoft.com/meet/26482719471293?p=sW9fHy4LqUe6bKtRzY", "26482719471293", Some("sW9fHy4LqUe6bKtRzY"))),
        ),
        (
            "teams legacy plain-text invitation ('Click here to join the meeting<…>')",
            data("teams_invite_legacy.txt"),
            Some((
                Teams,
                "https://teams.microsoft.com/l/meetup-join/19%3ameeting_ZjYzNmYyZDAtNGM5OC00MWNjLWI5ZDctZjk2NmM3ZGYwNzI2%40thread.v2/0?context=%7b%22Oid%22%3a%22d6b1c2e3-1111-4b22-9c33-8d4e5f6a7b8c%22%2c%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%7d",
                "19:meeting_ZjYzNmYyZDAtNGM5OC00MWNjLWI5ZDctZjk2NmM3ZGYwNzI2@thread.v2",
                None,
            )),
        ),
        (
            "teams link with upper-case escapes",
            s("https://teams.microsoft.com/l/meetup-join/19%3Ameeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj%40thread.v2/0?context=%7B%22Tid%22%3A%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2C%22Oid%22%3A%224a3ce3f7-4b24-4a0e-a6a5-1ae58b2d1a6c%22%7D"),
            Some((Teams, TEAMS_URL, TEAMS_THREAD, None)),
        ),
        (
            "teams link in a government cloud",
            s("Join: https://gov.teams.microsoft.us/l/meetup-join/19%3ameeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%7d"),
            Some((
                Teams,
                "https://gov.teams.microsoft.us/l/meetup-join/19%3ameeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%7d",
                TEAMS_THREAD,
                None,
            )),
        ),
        (
            "teams link behind Outlook Safe Links",
            s("https://nam06.safelinks.protection.outlook.com/?url=https%3A%2F%2Fteams.microsoft.com%2Fl%2Fmeetup-join%2F19%253ameeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj%2540thread.v2%2F0%3Fcontext%3D%257b%2522Tid%2522%253a%252272f988bf-86f1-41af-91ab-2d7cd011db47%2522%252c%2522Oid%2522%253a%25224a3ce3f7-4b24-4a0e-a6a5-1ae58b2d1a6c%2522%257d&data=05%7C02%7C%7Cabc%7C0&sdata=xyz%3D&reserved=0"),
            Some((Teams, TEAMS_URL, TEAMS_THREAD, None)),
        ),
        (
            "teams v2 web link with the meeting in the fragment",
            s("https://teams.microsoft.com/v2/?meetingjoin=true#/l/meetup-join/19:meeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj@thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%224a3ce3f7-4b24-4a0e-a6a5-1ae58b2d1a6c%22%7d&anon=true"),
            Some((Teams, TEAMS_URL, TEAMS_THREAD, None)),
        ),
        (
            "teams free (consumer) meeting",
            s("Join: https://teams.live.com/meet/9356789012345?p=QwErTy1234uIoP"),
            Some((Teams, "https://teams.live.com/meet/9356789012345?p=QwErTy1234uIoP", "9356789012345", Some("QwErTy1234uIoP"))),
        ),
        (
            "teams channel meeting (meetup-join on a channel thread)",
            s("https://teams.microsoft.com/l/meetup-join/19%3a0c4a2b6d8e9f4c1a9b7d6e5f4a3b2c1d%40thread.tacv2/1709650000000?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%224a3ce3f7-4b24-4a0e-a6a5-1ae58b2d1a6c%22%7d"),
            Some((
                Teams,
                "https://teams.microsoft.com/l/meetup-join/19%3a0c4a2b6d8e9f4c1a9b7d6e5f4a3b2c1d%40thread.tacv2/1709650000000?context=%7b%22Oid%22%3a%224a3ce3f7-4b24-4a0e-a6a5-1ae58b2d1a6c%22%2c%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%7d",
                "19:0c4a2b6d8e9f4c1a9b7d6e5f4a3b2c1d@thread.tacv2",
                None,
            )),
        ),
        // ---- must not match ----
        ("zoom cloud recording share link", s("Recording: https://us02web.zoom.us/rec/share/AbCdEf1234_xyz.Qwerty?startTime=1709650000000"), None),
        ("zoom recording play link", s("https://zoom.us/rec/play/8Xo1Zb2cD3eF4gH5iJ6kL7mN8oP9qR0sT"), None),
        ("zoom support article", s("Trouble joining? https://support.zoom.us/hc/en-us/articles/201362193-Joining-a-meeting"), None),
        ("zoom download page", s("Get the app: https://zoom.us/download"), None),
        ("zoom local numbers page", s("Find your local number: https://us02web.zoom.us/u/kdFoOR1Zw"), None),
        ("zoom meeting .ics link", s("https://us02web.zoom.us/meeting/tZ0ucuGqrj8pHdKtyRa9W6Xq1kfqvkTdx1qK/ics?icsToken=98tyKuCr"), None),
        ("meet home page without a code", s("We use https://meet.google.com for calls"), None),
        ("meet 'new' shortcut", s("https://meet.google.com/new"), None),
        ("google docs link", s("Notes: https://docs.google.com/document/d/1aBcD3fGhIjKlMnOpQrStUvWxYz0123456789abcdEF/edit"), None),
        ("meet phone-numbers page", s("More phone numbers: https://tel.meet/xkd-qpwr-mzt?pin=5730184426153"), None),
        ("teams chat link", s("Ping me: https://teams.microsoft.com/l/chat/0/0?users=ana@contoso.com"), None),
        ("teams channel link", s("https://teams.microsoft.com/l/channel/19%3a0c4a2b6d8e9f4c1a9b7d6e5f4a3b2c1d%40thread.tacv2/General?groupId=1b2c3d4e-0000-4000-8000-000000000001&tenantId=72f988bf-86f1-41af-91ab-2d7cd011db47"), None),
        ("teams message link", s("https://teams.microsoft.com/l/message/19:0c4a2b6d8e9f4c1a9b7d6e5f4a3b2c1d@thread.tacv2/1709650000000?tenantId=72f988bf-86f1-41af-91ab-2d7cd011db47"), None),
        ("teams meeting options page", s("https://teams.microsoft.com/meetingOptions/?organizerId=4a3ce3f7&tenantId=72f988bf&threadId=19_meeting_NjQ5@thread.v2&messageId=0"), None),
        ("teams help link", s("Need help? https://aka.ms/JoinTeamsMeeting?omkt=en-US"), None),
        ("teams-style meeting id written without a link (not Zoom)", s("Meeting ID: 234 567 890 123\nPasscode: Xy7kQ2"), None),
        ("meet phone PIN only", s("Join by phone (US) +1 617-675-4444 PIN: 941 522 073#"), None),
        ("plain text with no link", s("Lunch at noon, bring snacks."), None),
    ]
}

fn check(name: &str, got: Option<&MeetingLink>, want: &Expect) {
    match (got, want) {
        (None, None) => {}
        (Some(g), None) => panic!("{name}: expected no meeting, got {g:?}"),
        (None, Some(w)) => panic!("{name}: expected {w:?}, found nothing"),
        (Some(g), Some((platform, url, id, passcode))) => {
            assert_eq!(g.platform, *platform, "{name}: platform");
            assert_eq!(g.url, *url, "{name}: url");
            assert_eq!(g.meeting_id, *id, "{name}: meeting id");
            assert_eq!(g.passcode.as_deref(), *passcode, "{name}: passcode");
        }
    }
}

#[test]
fn invitation_texts_yield_their_meeting_and_nothing_else() {
    let cases = text_cases();
    assert!(cases.len() >= 40, "the table has {} cases", cases.len());
    for (name, text, want) in &cases {
        let found = find_in_text(text);
        check(name, found.first(), want);
        if want.is_some() {
            assert_eq!(
                found.len(),
                1,
                "{name}: one meeting expected, got {found:?}"
            );
        }
    }
}

#[test]
fn paste_variants_of_one_meeting_normalize_equal() {
    let groups: Vec<Vec<&str>> = vec![
        vec![
            "https://zoom.us/j/85312345678?pwd=aBcD.1",
            "https://us02web.zoom.us/j/85312345678?pwd=aBcD.1",
            "https://ACME.zoom.us/j/85312345678?pwd=aBcD.1&from=addon",
            "https://zoom.us/j/85312345678?pwd=aBcD.1#success",
            "zoommtg://zoom.us/join?action=join&confno=85312345678&pwd=aBcD.1",
            "https://app.zoom.us/wc/join/85312345678?pwd=aBcD.1",
            "https://zoom.us/wc/85312345678/join?pwd=aBcD.1&prefer=1",
            "zoom.us/j/85312345678?uname=Guest&pwd=aBcD.1",
            "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fus02web.zoom.us%2Fj%2F85312345678%3Fpwd%3DaBcD.1&data=05&reserved=0",
        ],
        vec![
            "https://meet.google.com/abc-defg-hij",
            "https://meet.google.com/abc-defg-hij?authuser=0",
            "https://meet.google.com/abc-defg-hij?hs=122&authuser=2",
            "http://meet.google.com/ABC-DEFG-HIJ/",
            "meet.google.com/abcdefghij?pli=1",
            "https://www.google.com/url?q=https://meet.google.com/abc-defg-hij?authuser%3D0&sa=D",
        ],
        vec![
            TEAMS_URL,
            "https://teams.microsoft.com/l/meetup-join/19%3Ameeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj%40thread.v2/0?context=%7B%22Tid%22%3A%2272F988BF-86F1-41AF-91AB-2D7CD011DB47%22%2C%22Oid%22%3A%224A3CE3F7-4B24-4A0E-A6A5-1AE58B2D1A6C%22%7D",
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%224a3ce3f7-4b24-4a0e-a6a5-1ae58b2d1a6c%22%2c%22MessageId%22%3a%220%22%7d",
            r#"https://teams.microsoft.com/l/meetup-join/19:meeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj@thread.v2/0?context={"Tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","Oid":"4a3ce3f7-4b24-4a0e-a6a5-1ae58b2d1a6c"}"#,
            "https://teams.microsoft.com/_#/l/meetup-join/19:meeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj@thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%224a3ce3f7-4b24-4a0e-a6a5-1ae58b2d1a6c%22%7d",
            "https://teams.microsoft.com/dl/launcher/launcher.html?url=%2F_%23%2Fl%2Fmeetup-join%2F19%3Ameeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj%40thread.v2%2F0%3Fcontext%3D%257b%2522Tid%2522%253a%252272f988bf-86f1-41af-91ab-2d7cd011db47%2522%252c%2522Oid%2522%253a%25224a3ce3f7-4b24-4a0e-a6a5-1ae58b2d1a6c%2522%257d%26anon%3Dtrue&type=meetup-join&deeplinkId=abc&directDl=true&msLaunch=true&enableMobilePage=true",
        ],
        vec![
            "https://teams.microsoft.com/meet/26482719471293?p=sW9fHy4LqUe6bKtRzY",
            "https://TEAMS.microsoft.com/meet/26482719471293/?p=sW9fHy4LqUe6bKtRzY&omkt=en-US",
        ],
    ];
    for group in groups {
        let parsed: Vec<MeetingLink> = group
            .iter()
            .map(|u| parse_url(u).unwrap_or_else(|| panic!("{u} should parse")))
            .collect();
        for (u, p) in group.iter().zip(&parsed) {
            assert_eq!(p.url, parsed[0].url, "{u} normalizes differently");
            assert_eq!(p, &parsed[0], "{u}");
        }
    }
    // Different meetings stay different.
    let a = parse_url("https://zoom.us/j/85312345678").unwrap();
    let b = parse_url("https://zoom.us/j/85312345679").unwrap();
    assert_ne!(a.url, b.url);
    let with_pwd = parse_url("https://zoom.us/j/85312345678?pwd=x").unwrap();
    assert!(a.same_meeting(&with_pwd) && a.url != with_pwd.url);
}

#[test]
fn google_events_prefer_conference_data() {
    let ev = json("google_event_meet.json");
    let link = from_google_event(&ev).expect("a meet link");
    assert_eq!(link.url, "https://meet.google.com/xkd-qpwr-mzt");
    assert_eq!(from_event_json(&ev), Some(link));

    let ev = json("google_event_zoom_addon.json");
    let link = from_google_event(&ev).expect("a zoom link");
    assert_eq!(link.platform, Platform::Zoom);
    assert_eq!(
        link.url,
        "https://zoom.us/j/81234567890?pwd=bXlQYXNzY29kZUhhc2g1Njc4OTAxMjM0NTY3"
    );
    assert_eq!(link.passcode.as_deref(), Some("662091"));
    // The same meeting from the HTML description alone.
    let only_description = serde_json::json!({
        "kind": "calendar#event",
        "summary": "Customer call",
        "description": ev["description"],
    });
    assert_eq!(from_event_json(&only_description), Some(link));
}

#[test]
fn google_structured_fields_win_over_text() {
    let ev = serde_json::json!({
        "kind": "calendar#event",
        "summary": "Two links",
        "location": "https://zoom.us/j/85312345678",
        "description": "old link https://zoom.us/j/99999999999",
        "hangoutLink": "https://meet.google.com/abc-defg-hij?authuser=0",
    });
    assert_eq!(
        from_google_event(&ev).unwrap().url,
        "https://meet.google.com/abc-defg-hij"
    );
    let no_structured = serde_json::json!({
        "summary": "Two links",
        "location": "Room 4 / https://zoom.us/j/85312345678",
        "description": "old link https://zoom.us/j/99999999999",
    });
    assert_eq!(
        from_google_event(&no_structured).unwrap().meeting_id,
        "85312345678"
    );
    let docs_only = serde_json::json!({
        "summary": "Doc review",
        "description": "https://docs.google.com/document/d/abc/edit and https://zoom.us/rec/share/xyz",
    });
    assert_eq!(from_google_event(&docs_only), None);
}

#[test]
fn graph_events_prefer_online_meeting() {
    let ev = json("graph_event_teams.json");
    let link = from_graph_event(&ev).expect("a teams link");
    assert_eq!(link.url, TEAMS_URL);
    assert_eq!(link.meeting_id, TEAMS_THREAD);
    assert_eq!(from_event_json(&ev), Some(link));

    let ev = json("graph_event_zoom_body.json");
    let link = from_event_json(&ev).expect("a zoom link from the body");
    assert_eq!(
        link.url,
        "https://zoom.us/j/97712345678?pwd=SGVsbG9Xb3JsZEZyb21Ub2tlbjEyMzQ1Njc4.1"
    );
    assert_eq!(link.passcode.as_deref(), Some("310577"));

    let location_only = serde_json::json!({
        "subject": "Room booking",
        "location": {"displayName": "https://meet.google.com/abc-defg-hij"},
        "body": {"contentType": "text", "content": "see you"},
    });
    assert_eq!(
        from_graph_event(&location_only).unwrap().meeting_id,
        "abc-defg-hij"
    );
}

#[test]
fn several_meetings_in_one_text_come_in_order() {
    let text = "Primary: https://meet.google.com/abc-defg-hij\nBackup: https://zoom.us/j/85312345678?pwd=x\nAgain: https://meet.google.com/abc-defg-hij?authuser=1";
    let found = find_in_text(text);
    let ids: Vec<&str> = found.iter().map(|l| l.meeting_id.as_str()).collect();
    assert_eq!(ids, ["abc-defg-hij", "85312345678"]);
}
