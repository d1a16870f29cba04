//! Ogg pages (RFC 3533) written one whole page per `write` call, so a reader
//! of a file whose writer was killed sees only complete pages.

use super::crc::ogg_crc;
use std::io::{self, Write};

/// Most lacing values one page can hold.
const MAX_SEGMENTS: usize = 255;

/// Writes packets of one logical stream as Ogg pages.
#[derive(Debug)]
pub struct OggPageWriter<W: Write> {
    out: W,
    serial: u32,
    sequence: u32,
    /// Packets waiting for the next page, with their lacing values.
    pending: Vec<u8>,
    lacing: Vec<u8>,
    /// The granule position after the last pending packet.
    pending_granule: u64,
    wrote_first_page: bool,
}

impl<W: Write> OggPageWriter<W> {
    /// A writer for the stream `serial` over `out`.
    pub fn new(out: W, serial: u32) -> Self {
        Self {
            out,
            serial,
            sequence: 0,
            pending: Vec::new(),
            lacing: Vec::new(),
            pending_granule: 0,
            wrote_first_page: false,
        }
    }

    /// Writes `packet` alone on its own page (the Opus header packets).
    pub fn write_header_page(&mut self, packet: &[u8]) -> io::Result<()> {
        self.flush_page(false)?;
        self.add_packet(packet, 0)?;
        self.flush_page(false)
    }

    /// Queues `packet`, which ends at `granule`; writes a page first when the
    /// packet would not fit.
    pub fn add_packet(&mut self, packet: &[u8], granule: u64) -> io::Result<()> {
        let segments = packet.len() / 255 + 1;
        if segments > MAX_SEGMENTS {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "packet larger than one Ogg page",
            ));
        }
        if self.lacing.len() + segments > MAX_SEGMENTS {
            self.flush_page(false)?;
        }
        for _ in 0..packet.len() / 255 {
            self.lacing.push(255);
        }
        self.lacing.push((packet.len() % 255) as u8);
        self.pending.extend_from_slice(packet);
        self.pending_granule = granule;
        Ok(())
    }

    /// Packets queued and not yet on a page.
    pub fn pending_segments(&self) -> usize {
        self.lacing.len()
    }

    /// Writes the queued packets as one page (nothing when none is queued,
    /// unless `last`, which writes the end-of-stream page) and flushes `out`.
    pub fn flush_page(&mut self, last: bool) -> io::Result<()> {
        if self.lacing.is_empty() && !last {
            return self.out.flush();
        }
        let mut header_type = 0u8;
        if !self.wrote_first_page {
            header_type |= 0x02;
        }
        if last {
            header_type |= 0x04;
        }
        let mut page = Vec::with_capacity(27 + self.lacing.len() + self.pending.len());
        page.extend_from_slice(b"OggS");
        page.push(0);
        page.push(header_type);
        page.extend_from_slice(&self.pending_granule.to_le_bytes());
        page.extend_from_slice(&self.serial.to_le_bytes());
        page.extend_from_slice(&self.sequence.to_le_bytes());
        page.extend_from_slice(&[0; 4]);
        page.push(self.lacing.len() as u8);
        page.extend_from_slice(&self.lacing);
        page.extend_from_slice(&self.pending);
        let crc = ogg_crc(&page);
        page[22..26].copy_from_slice(&crc.to_le_bytes());
        // One call per page: a killed writer leaves whole pages behind.
        self.out.write_all(&page)?;
        self.out.flush()?;
        self.sequence += 1;
        self.wrote_first_page = true;
        self.lacing.clear();
        self.pending.clear();
        Ok(())
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// Gives the underlying writer back.
    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_carry_flags_sequence_lacing_and_a_valid_crc() {
        let mut w = OggPageWriter::new(Vec::new(), 7);
        w.write_header_page(b"head").unwrap();
        w.add_packet(&[1u8; 300], 960).unwrap();
        w.flush_page(true).unwrap();
        let bytes = w.into_inner();
        // Page 1: 27 + 1 lacing + 4 body.
        let first = &bytes[..32];
        assert_eq!(&first[..4], b"OggS");
        assert_eq!(first[5], 0x02);
        let second = &bytes[32..];
        assert_eq!(second[5], 0x04);
        assert_eq!(u64::from_le_bytes(second[6..14].try_into().unwrap()), 960);
        assert_eq!(u32::from_le_bytes(second[18..22].try_into().unwrap()), 1);
        assert_eq!(second[26], 2);
        assert_eq!(&second[27..29], &[255, 45]);
        let mut zeroed = second.to_vec();
        zeroed[22..26].copy_from_slice(&[0; 4]);
        assert_eq!(
            u32::from_le_bytes(second[22..26].try_into().unwrap()),
            ogg_crc(&zeroed)
        );
    }

    #[test]
    fn a_full_page_is_written_before_it_overflows() {
        let mut w = OggPageWriter::new(Vec::new(), 1);
        for i in 0..300u64 {
            w.add_packet(&[0u8; 3], i).unwrap();
        }
        assert_eq!(w.pending_segments(), 300 - 255);
        assert!(w.get_ref().len() > 27 + 255);
    }
}
