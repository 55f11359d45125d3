//! The printed recovery key: 160 random bits written as eight groups of four
//! Crockford base-32 characters, e.g. `7K3M-Q9XD-…`, easy to copy by hand.

use zeroize::Zeroizing;

use crate::{crypto, Error, Result};

const BYTES: usize = 20;
const CHARS: usize = 32;
const ALPHABET: base32::Alphabet = base32::Alphabet::Crockford;

pub struct RecoveryKey(Zeroizing<[u8; BYTES]>);

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(<redacted>)")
    }
}

impl RecoveryKey {
    pub fn generate() -> Result<Self> {
        Ok(Self(Zeroizing::new(crypto::random_array()?)))
    }

    pub fn bytes(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// The key as a person writes it down: `XXXX-XXXX-…` (8 groups).
    pub fn display(&self) -> Zeroizing<String> {
        show_code(self.0.as_slice())
    }

    /// Read a key as typed: any case, with or without dashes or spaces; O is read as 0
    /// and I or L as 1, the usual slips when copying by hand.
    pub fn parse(typed: &str) -> Result<Self> {
        Ok(Self(read_code(typed, "recovery_key", "a recovery key")?))
    }
}

/// 20 bytes as a person copies them: eight groups of four Crockford base-32 characters.
pub(crate) fn show_code(bytes: &[u8]) -> Zeroizing<String> {
    let plain = Zeroizing::new(base32::encode(ALPHABET, bytes));
    let mut out = Zeroizing::new(String::with_capacity(plain.len() + plain.len() / 4));
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

/// Read back what [`show_code`] showed, as a person typed it (see [`RecoveryKey::parse`]);
/// a refusal names `field` and says it is not `what`.
pub(crate) fn read_code(
    typed: &str,
    field: &'static str,
    what: &str,
) -> Result<Zeroizing<[u8; BYTES]>> {
    let mut normal = Zeroizing::new(String::with_capacity(CHARS));
    for c in typed.chars() {
        match c.to_ascii_uppercase() {
            '-' | ' ' | '\t' | '\n' | '\r' => {}
            'O' => normal.push('0'),
            'I' | 'L' => normal.push('1'),
            c if c.is_ascii_digit() || ALPHABET_CHARS.contains(c) => normal.push(c),
            _ => {
                return Err(Error::invalid(
                    field,
                    format!("has a character that is not in {what}"),
                ))
            }
        }
    }
    if normal.len() != CHARS {
        return Err(Error::invalid(
            field,
            format!(
                "must be {CHARS} characters (eight groups of four); got {}",
                normal.len()
            ),
        ));
    }
    let bytes = Zeroizing::new(
        base32::decode(ALPHABET, &normal)
            .ok_or_else(|| Error::invalid(field, format!("is not {what}")))?,
    );
    let array: [u8; BYTES] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| Error::invalid(field, format!("is not {what}")))?;
    Ok(Zeroizing::new(array))
}

const ALPHABET_CHARS: &str = "ABCDEFGHJKMNPQRSTVWXYZ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_eight_groups_and_parses_back_leniently() {
        let key = RecoveryKey::generate().unwrap();
        let shown = key.display();
        let groups: Vec<&str> = shown.split('-').collect();
        assert_eq!(groups.len(), 8);
        assert!(groups.iter().all(|g| g.len() == 4));
        let sloppy = shown
            .to_lowercase()
            .replace('-', " ")
            .replace('0', "o")
            .replace('1', "l");
        assert_eq!(RecoveryKey::parse(&sloppy).unwrap().bytes(), key.bytes());
    }

    #[test]
    fn wrong_length_and_foreign_characters_name_the_field() {
        for typed in [
            "ABCD-EFGH",
            "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-678U",
            "กขคง",
        ] {
            match RecoveryKey::parse(typed) {
                Err(Error::Invalid { field, .. }) => assert_eq!(field, "recovery_key"),
                other => panic!("{typed}: expected invalid, got {other:?}"),
            }
        }
    }
}
