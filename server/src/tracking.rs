//! Tracking codes: the short code a citizen reads from the receipt, over the phone or at the
//! counter, e.g. `CR-7K3M-9QXD`. The alphabet leaves out characters that are easy to confuse
//! when read aloud or handwritten (0/O, 1/I/L, U/V), and typed codes are normalised back.

use rand::Rng;

/// The 30 characters a code is made of.
pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Fixed prefix: identifies a Ceria receipt code.
pub const PREFIX: &str = "CR";

/// A new random code `CR-XXXX-XXXX` (30^8, about 6.6e11 codes; uniqueness is enforced by the
/// database and a collision simply draws again).
pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> String {
    let mut out = String::with_capacity(12);
    out.push_str(PREFIX);
    for i in 0..8 {
        if i % 4 == 0 {
            out.push('-');
        }
        let pick = rng.random_range(0..ALPHABET.len());
        out.push(char::from(ALPHABET.get(pick).copied().unwrap_or(b'2')));
    }
    out
}

/// Normalises a typed code: case, spaces and dashes do not matter and look-alikes are mapped
/// (O->0 is not in the alphabet, so `O` and `0` both fail; `I`/`L`/`1` likewise). Returns the
/// canonical form or `None` when it cannot be a code.
pub fn normalize(input: &str) -> Option<String> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let body = compact.strip_prefix(PREFIX).unwrap_or(&compact);
    if body.len() != 8 || !body.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("{PREFIX}-{}-{}", body.get(..4)?, body.get(4..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_have_the_shape_and_normalise_to_themselves() {
        let mut rng = rand::rng();
        for _ in 0..500 {
            let code = generate(&mut rng);
            assert_eq!(code.len(), 12, "{code}");
            assert!(code.starts_with("CR-"));
            assert_eq!(normalize(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn typed_codes_are_forgiving_about_case_and_separators() {
        assert_eq!(normalize("cr 7k3m 9qxd").as_deref(), Some("CR-7K3M-9QXD"));
        assert_eq!(normalize("7K3M9QXD").as_deref(), Some("CR-7K3M-9QXD"));
        assert_eq!(normalize("CR-7K3M-9QX"), None);
        assert_eq!(normalize("CR-7K3M-9QX0"), None, "0 is not in the alphabet");
        assert_eq!(normalize("CR-7K3M-9QXİ"), None);
        assert_eq!(normalize(""), None);
    }

    #[test]
    fn alphabet_has_no_look_alikes() {
        for c in b"01ILOU" {
            assert!(!ALPHABET.contains(c));
        }
        assert_eq!(ALPHABET.len(), 30);
    }
}
