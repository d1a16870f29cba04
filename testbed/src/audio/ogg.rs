//! A small Ogg page reader that yields the Opus packets of a single-stream Ogg/Opus file.

use crate::error::{Result, TestbedError};
use bytes::Bytes;

/// Size of the fixed part of an Ogg page header (RFC 3533, section 6).
const PAGE_HEADER_LEN: usize = 27;

/// The audio packets of an Ogg/Opus stream, without the OpusHead and OpusTags headers.
pub fn opus_packets(data: &[u8]) -> Result<Vec<Bytes>> {
    let mut packets = Vec::new();
    let mut partial: Vec<u8> = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let header = data
            .get(pos..pos + PAGE_HEADER_LEN)
            .ok_or_else(|| TestbedError::Ogg(format!("truncated page header at byte {pos}")))?;
        if &header[0..4] != b"OggS" {
            return Err(TestbedError::Ogg(format!(
                "no capture pattern at byte {pos}"
            )));
        }
        let segments = usize::from(header[26]);
        let lacing = data
            .get(pos + PAGE_HEADER_LEN..pos + PAGE_HEADER_LEN + segments)
            .ok_or_else(|| TestbedError::Ogg(format!("truncated lacing table at byte {pos}")))?;
        let mut body = pos + PAGE_HEADER_LEN + segments;
        for &len in lacing {
            let len = usize::from(len);
            let segment = data
                .get(body..body + len)
                .ok_or_else(|| TestbedError::Ogg(format!("truncated segment at byte {body}")))?;
            partial.extend_from_slice(segment);
            body += len;
            // A lacing value below 255 ends a packet; 255 means it continues.
            if len < 255 {
                packets.push(Bytes::from(std::mem::take(&mut partial)));
            }
        }
        pos = body;
    }
    let audio: Vec<Bytes> = packets
        .into_iter()
        .filter(|p| !p.starts_with(b"OpusHead") && !p.starts_with(b"OpusTags"))
        .collect();
    if audio.is_empty() {
        return Err(TestbedError::Ogg("no audio packets".to_owned()));
    }
    Ok(audio)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(lacing: &[u8], body: &[u8]) -> Vec<u8> {
        let mut p = b"OggS".to_vec();
        p.extend_from_slice(&[0; 22]);
        p.push(lacing.len() as u8);
        p.extend_from_slice(lacing);
        p.extend_from_slice(body);
        p
    }

    #[test]
    fn joins_packets_across_pages_and_drops_headers() {
        let mut file = page(&[8], b"OpusHead");
        file.extend(page(&[8], b"OpusTags"));
        let long = vec![7u8; 300];
        // 300 bytes = 255 + 45, split over two pages, then a 2-byte packet.
        file.extend(page(&[255], &long[..255]));
        let mut rest = long[255..].to_vec();
        rest.extend_from_slice(&[1, 2]);
        file.extend(page(&[45, 2], &rest));
        let packets = opus_packets(&file).unwrap();
        assert_eq!(packets.len(), 2);
        assert_eq!(packets[0].len(), 300);
        assert_eq!(&packets[1][..], &[1, 2]);
    }

    #[test]
    fn rejects_garbage() {
        assert!(opus_packets(b"not an ogg file at all, really not").is_err());
    }
}
