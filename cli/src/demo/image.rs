//! A generated "photo" of a Kartu Keluarga for the demo: a valid PNG drawn in memory (a
//! paper-coloured card with a header band, the family table's grid and lines of "text"), big
//! enough that the upload takes several resumable chunks and the progress bar moves.
//! Uncompressed deflate keeps the encoder a few lines long and the size predictable.

/// PNG file signature.
const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
/// Largest stored (uncompressed) deflate block.
const MAX_STORED: usize = 65_535;

/// CRC-32 (IEEE, as PNG chunks use).
fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for part in parts {
        for &b in *part {
            crc ^= u32::from(b);
            for _ in 0..8 {
                let mask = (crc & 1).wrapping_neg();
                crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
            }
        }
    }
    !crc
}

/// Adler-32 (zlib's checksum).
fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // Chunks here are at most a few MiB: the length always fits.
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// A zlib stream of stored deflate blocks.
fn zlib_stored(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / MAX_STORED * 5 + 16);
    out.extend_from_slice(&[0x78, 0x01]);
    let mut blocks = raw.chunks(MAX_STORED).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        let last = u8::from(blocks.peek().is_none());
        // `chunks(MAX_STORED)` guarantees the block length fits in 16 bits.
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        out.push(last);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(raw).to_be_bytes());
    out
}

/// The colour of pixel (x, y) of the card.
fn pixel(x: u32, y: u32, w: u32, h: u32) -> [u8; 3] {
    let paper = [238, 242, 250];
    let ink = [40, 52, 110];
    let band = [60, 90, 170];
    let (mx, my) = (w / 20, h / 14);
    if x < mx || x >= w - mx || y < my || y >= h - my {
        return [200, 200, 205];
    }
    let (cx, cy) = (x - mx, y - my);
    let (cw, ch) = (w - 2 * mx, h - 2 * my);
    if cy < ch / 7 {
        // Header band with the title "line" in paper colour.
        let title = cy > ch / 20 && cy < ch / 12 && cx > cw / 4 && cx < cw * 3 / 4;
        return if title { paper } else { band };
    }
    let table_top = ch * 2 / 7;
    if cy >= table_top {
        let rows = 8;
        let row_h = ((ch - table_top) / rows).max(1);
        let cols = [
            0,
            cw / 16,
            cw * 5 / 16,
            cw * 8 / 16,
            cw * 10 / 16,
            cw * 13 / 16,
            cw - 1,
        ];
        let on_row = (cy - table_top) % row_h == 0 || cy == ch - 1;
        let on_col = cols.contains(&cx);
        if on_row || on_col {
            return ink;
        }
        // A short "word" in each cell, varying with the position like handwriting.
        let in_row = (cy - table_top) % row_h;
        let seed = (cx / 9).wrapping_mul(31) ^ ((cy - table_top) / row_h).wrapping_mul(17);
        if in_row > row_h / 3 && in_row < row_h * 2 / 3 && seed % 5 != 0 && cx % 9 < 6 {
            return [90, 90, 100];
        }
        return paper;
    }
    // Lines of the family's details above the table.
    let line = (cy - ch / 7) % (ch / 28).max(1);
    if line < 3 && cx > cw / 20 && cx < cw * 11 / 20 && (cx / 7) % 6 != 0 {
        return [70, 70, 80];
    }
    paper
}

/// A `width` x `height` RGB PNG of a family card (both clamped to 64..=4096).
pub fn kk_photo(width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width.clamp(64, 4096), height.clamp(64, 4096));
    let row_len = 1 + 3 * w as usize;
    let mut raw = Vec::with_capacity(row_len * h as usize);
    for y in 0..h {
        raw.push(0); // filter type: none
        for x in 0..w {
            raw.extend_from_slice(&pixel(x, y, w, h));
        }
    }
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    let mut out = SIGNATURE.to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(&[b"IEND"]), 0xAE42_6082);
        assert_eq!(crc32(&[b"IE", b"ND"]), 0xAE42_6082);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(b""), 1);
    }

    #[test]
    fn the_photo_is_a_well_formed_png() {
        let png = kk_photo(640, 420);
        assert_eq!(&png[..8], &SIGNATURE);
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 640);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 420);
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]));
        // Raw RGB rows plus filter bytes, stored: a bit more than 800 KB.
        let raw = 420 * (1 + 3 * 640);
        assert!(png.len() > raw && png.len() < raw + 1024, "{}", png.len());
        // Every IDAT block header announces its own length and its complement.
        let idat = &png[33 + 8..];
        assert_eq!(&idat[..2], &[0x78, 0x01]);
        let len = u16::from_le_bytes([idat[3], idat[4]]);
        let nlen = u16::from_le_bytes([idat[5], idat[6]]);
        assert_eq!((len, nlen), (65_535, !65_535u16));
    }

    #[test]
    fn sizes_are_clamped() {
        let tiny = kk_photo(1, 1);
        assert_eq!(u32::from_be_bytes(tiny[16..20].try_into().unwrap()), 64);
        assert!(zlib_stored(&[]).len() == 2 + 5 + 4);
    }
}
