//! Sealed files: attachment content encrypted at rest with XChaCha20-Poly1305, in independent
//! segments of 64 KiB, so a 10 MiB photo is never held in memory whole and a tus chunk at any
//! offset is read by opening only the segments it spans.
//!
//! Layout: a 24-byte header (`CERIAENC`, format version, a random 15-byte nonce prefix) and
//! then each segment as ciphertext plus its 16-byte tag. A segment's nonce is the prefix, its
//! index (u64, big-endian) and a last-segment flag; the header is its associated data. So
//! segments cannot be reordered, moved between files or dropped from the end (the last one
//! must carry the flag), and every file gets fresh nonces under its account's key.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// Plaintext bytes per segment.
pub(crate) const SEGMENT: usize = 64 * 1024;
const TAG: usize = 16;
const MAGIC: &[u8; 8] = b"CERIAENC";
const VERSION: u8 = 1;
const PREFIX: usize = 15;
const HEADER: usize = MAGIC.len() + 1 + PREFIX;
/// Ciphertext bytes of a full segment.
const SEALED_SEGMENT: u64 = (SEGMENT + TAG) as u64;

/// A 256-bit secret key; wiped from memory when dropped.
#[derive(Clone)]
pub(crate) struct SecretKey(Zeroizing<[u8; 32]>);

impl SecretKey {
    /// A fresh random key.
    pub(crate) fn random() -> SecretKey {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(&mut key[..]);
        SecretKey(key)
    }

    /// A key from exactly 32 bytes.
    pub(crate) fn from_slice(bytes: &[u8]) -> Option<SecretKey> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(SecretKey(Zeroizing::new(array)))
    }

    /// The key's bytes.
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub(crate) fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&self.0[..]))
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

fn nonce(prefix: &[u8], index: u64, last: bool) -> XNonce {
    let mut n = [0u8; 24];
    n[..PREFIX].copy_from_slice(prefix);
    n[PREFIX..PREFIX + 8].copy_from_slice(&index.to_be_bytes());
    n[23] = u8::from(last);
    n.into()
}

fn unreadable(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("sealed file: {what}"))
}

/// Writes plaintext as a sealed file, one segment at a time.
pub(crate) struct SealWriter<W: Write> {
    out: W,
    cipher: XChaCha20Poly1305,
    header: [u8; HEADER],
    /// Plaintext not sealed yet: a full segment stays here until more data shows it is not
    /// the last one.
    pending: Zeroizing<Vec<u8>>,
    index: u64,
}

impl<W: Write> SealWriter<W> {
    /// Starts a sealed file on `out` (writes the header).
    pub(crate) fn new(mut out: W, key: &SecretKey) -> io::Result<SealWriter<W>> {
        let mut header = [0u8; HEADER];
        header[..MAGIC.len()].copy_from_slice(MAGIC);
        header[MAGIC.len()] = VERSION;
        rand::rng().fill_bytes(&mut header[MAGIC.len() + 1..]);
        out.write_all(&header)?;
        Ok(SealWriter {
            out,
            cipher: key.cipher(),
            header,
            pending: Zeroizing::new(Vec::with_capacity(SEGMENT)),
            index: 0,
        })
    }

    /// Adds plaintext.
    pub(crate) fn write_all(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            if self.pending.len() == SEGMENT {
                self.seal_pending(false)?;
            }
            let take = (SEGMENT - self.pending.len()).min(data.len());
            let (head, rest) = data.split_at(take);
            self.pending.extend_from_slice(head);
            data = rest;
        }
        Ok(())
    }

    fn seal_pending(&mut self, last: bool) -> io::Result<()> {
        let prefix = &self.header[MAGIC.len() + 1..];
        let sealed = self
            .cipher
            .encrypt(
                &nonce(prefix, self.index, last),
                Payload {
                    msg: &self.pending,
                    aad: &self.header,
                },
            )
            .map_err(|_| unreadable("cannot seal"))?;
        self.out.write_all(&sealed)?;
        self.pending.clear();
        self.index += 1;
        Ok(())
    }

    /// Seals the last segment and returns the output.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.seal_pending(true)?;
        Ok(self.out)
    }
}

/// A sealed file opened for reading at any offset.
pub(crate) struct SealedFile {
    file: File,
    cipher: XChaCha20Poly1305,
    header: [u8; HEADER],
    segments: u64,
    plain_len: u64,
}

impl SealedFile {
    /// Opens a sealed file; refuses one that is not in this format.
    pub(crate) fn open(path: &Path, key: &SecretKey) -> io::Result<SealedFile> {
        let mut file = File::open(path)?;
        let mut header = [0u8; HEADER];
        file.read_exact(&mut header)
            .map_err(|_| unreadable("too short"))?;
        if &header[..MAGIC.len()] != MAGIC || header[MAGIC.len()] != VERSION {
            return Err(unreadable("not a sealed file"));
        }
        let body = file.metadata()?.len().saturating_sub(HEADER as u64);
        let segments = body.div_ceil(SEALED_SEGMENT).max(1);
        let last = body
            .checked_sub((segments - 1) * SEALED_SEGMENT)
            .filter(|l| *l >= TAG as u64)
            .ok_or_else(|| unreadable("truncated"))?;
        let plain_len = (segments - 1) * SEGMENT as u64 + (last - TAG as u64);
        Ok(SealedFile {
            file,
            cipher: key.cipher(),
            header,
            segments,
            plain_len,
        })
    }

    /// The plaintext's length.
    #[cfg(test)]
    pub(crate) fn plain_len(&self) -> u64 {
        self.plain_len
    }

    /// The plaintext of segment `index`; an error when it does not authenticate.
    pub(crate) fn segment(&mut self, index: u64) -> io::Result<Zeroizing<Vec<u8>>> {
        if index >= self.segments {
            return Ok(Zeroizing::new(Vec::new()));
        }
        let last = index + 1 == self.segments;
        self.file
            .seek(SeekFrom::Start(HEADER as u64 + index * SEALED_SEGMENT))?;
        let mut sealed = Vec::with_capacity(SEGMENT + TAG);
        (&mut self.file)
            .take(SEALED_SEGMENT)
            .read_to_end(&mut sealed)?;
        let prefix = &self.header[MAGIC.len() + 1..];
        self.cipher
            .decrypt(
                &nonce(prefix, index, last),
                Payload {
                    msg: &sealed,
                    aad: &self.header,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| unreadable("does not authenticate (wrong key or damaged)"))
    }

    /// Up to `len` plaintext bytes from `offset`.
    pub(crate) fn read_at(&mut self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let end = offset.saturating_add(len as u64).min(self.plain_len);
        let mut out = Vec::with_capacity(end.saturating_sub(offset) as usize);
        let mut pos = offset;
        while pos < end {
            let index = pos / SEGMENT as u64;
            let plain = self.segment(index)?;
            let start = (pos - index * SEGMENT as u64) as usize;
            let stop = ((end - index * SEGMENT as u64) as usize).min(plain.len());
            let piece = plain
                .get(start..stop)
                .ok_or_else(|| unreadable("segment shorter than its place"))?;
            if piece.is_empty() {
                break;
            }
            out.extend_from_slice(piece);
            pos += piece.len() as u64;
        }
        Ok(out)
    }

    /// Feeds the whole plaintext to `sink`, segment by segment.
    pub(crate) fn for_each_segment(
        &mut self,
        mut sink: impl FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        for index in 0..self.segments {
            sink(&self.segment(index)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(dir: &Path, key: &SecretKey, data: &[u8]) -> std::path::PathBuf {
        let path = dir.join("sealed");
        let mut w = SealWriter::new(File::create(&path).unwrap(), key).unwrap();
        // Odd pieces, so segment boundaries fall inside writes.
        for piece in data.chunks(10_007) {
            w.write_all(piece).unwrap();
        }
        w.finish().unwrap();
        path
    }

    #[test]
    fn round_trips_every_length_and_offset() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretKey::random();
        for len in [
            0,
            1,
            SEGMENT - 1,
            SEGMENT,
            SEGMENT + 1,
            3 * SEGMENT,
            200_000,
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let path = seal(dir.path(), &key, &data);
            let mut f = SealedFile::open(&path, &key).unwrap();
            assert_eq!(f.plain_len(), len as u64);
            assert_eq!(f.read_at(0, len + 10).unwrap(), data);
            if len > 5 {
                let off = len / 3;
                assert_eq!(
                    f.read_at(off as u64, SEGMENT).unwrap(),
                    &data[off..(off + SEGMENT).min(len)]
                );
            }
            let mut all = Vec::new();
            f.for_each_segment(|p| {
                all.extend_from_slice(p);
                Ok(())
            })
            .unwrap();
            assert_eq!(all, data);
        }
    }

    #[test]
    fn wrong_key_truncation_and_tampering_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretKey::random();
        let data = vec![42u8; 2 * SEGMENT + 100];
        let path = seal(dir.path(), &key, &data);
        let raw = std::fs::read(&path).unwrap();
        assert!(
            !raw.windows(64).any(|w| w == [42u8; 64]),
            "plaintext on disk"
        );

        let other = SecretKey::random();
        assert!(
            SealedFile::open(&path, &other)
                .unwrap()
                .read_at(0, 10)
                .is_err()
        );

        // Dropping the last segment leaves a file whose new last segment lacks the flag.
        let cut = HEADER + 2 * (SEGMENT + TAG);
        std::fs::write(&path, &raw[..cut]).unwrap();
        let mut f = SealedFile::open(&path, &key).unwrap();
        assert!(f.read_at(0, 3 * SEGMENT).is_err());

        let mut flipped = raw.clone();
        flipped[HEADER + 5] ^= 1;
        std::fs::write(&path, &flipped).unwrap();
        assert!(
            SealedFile::open(&path, &key)
                .unwrap()
                .read_at(0, 10)
                .is_err()
        );
    }
}
