//! Percent-decoding and the encodings Teams uses, without a URL library's
//! opinion on which characters to touch.

/// Decodes `%XX` escapes (and nothing else); invalid escapes stay as they are.
pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes every byte outside `A-Z a-z 0-9 - _ . ~` as lower-case `%xx`,
/// the way Teams writes its join links.
pub(crate) fn encode_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_mixed_case_escapes_and_keeps_broken_ones() {
        assert_eq!(
            decode("19%3ameeting_x%40thread.v2"),
            "19:meeting_x@thread.v2"
        );
        assert_eq!(
            decode("19%3Ameeting_x%40Thread.v2"),
            "19:meeting_x@Thread.v2"
        );
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn encodes_like_teams() {
        assert_eq!(encode_lower("19:m@thread.v2"), "19%3am%40thread.v2");
    }
}
