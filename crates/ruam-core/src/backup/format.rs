//! The backup file: one file, encrypted and authenticated from its first byte to its last.
//!
//! ```text
//! magic "RUAMBKP1" (8) | header length (u32 LE) | header (JSON) | chunk 0 | chunk 1 | …
//! ```
//!
//! The header is in the clear (the vault's id, when, how long, and the slots that open
//! the backup: the vault's recovery slot as it was, and the passphrase slots of the leads
//! who set up backups on this laptop, which need no device secret). The payload is cut
//! into chunks of `chunkLen` bytes (the last one shorter), each sealed with AES-256-GCM
//! under a key derived from the vault's data key and the backup's id. A chunk's nonce is
//! its number; its associated data is the SHA-256 of the magic and the header, its number
//! and whether it is the last. So a changed header, a chunk changed, moved, dropped or
//! added, and a file cut short are each found before anything is used, and told apart:
//! cut short is [`BackupFault::Truncated`], anything else [`BackupFault::Damaged`].

use std::io::{Read, Write};

use ring::aead;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::keys::PassphraseSlot;
use crate::crypto::{self, SecretKey, NONCE_LEN};
use crate::slots::Slot;
use crate::{Error, Result};

pub const MAGIC: [u8; 8] = *b"RUAMBKP1";
pub const FORMAT: u32 = 1;
/// The payload's chunk: large enough that sealing costs little beyond copying.
pub const CHUNK_LEN: u32 = 1 << 20;
const TAG_LEN: usize = 16;
const MAX_HEADER_LEN: u32 = 1 << 20;
const MIN_CHUNK_LEN: u32 = 4096;
const MAX_CHUNK_LEN: u32 = 16 << 20;
/// A terabyte: no laptop's vault comes near, and no sum below can overflow.
const MAX_PAYLOAD_LEN: u64 = 1 << 40;

/// Why a file was refused as a backup. Each says what a person can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum BackupFault {
    /// Not a backup made by Ruam at all.
    NotABackup,
    /// Made by a newer version of Ruam.
    NewerFormat,
    /// Changed or damaged after it was made.
    Damaged,
    /// Cut short (a copy that did not finish).
    Truncated,
    /// A backup of another team's vault than the one on this laptop.
    OtherVault,
    /// It opened, but the vault inside does not pass its checks (integrity, audit log,
    /// counts).
    FailedChecks,
}

impl std::fmt::Display for BackupFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotABackup => "this file is not a Ruam backup",
            Self::NewerFormat => {
                "this backup was made by a newer version of Ruam; update Ruam to restore it"
            }
            Self::Damaged => {
                "this backup is damaged (it was changed after it was made); use another backup"
            }
            Self::Truncated => {
                "this backup is incomplete (the file was cut short, perhaps while it was copied); copy it again or use another backup"
            }
            Self::OtherVault => "this backup is of another team's vault than the one on this laptop",
            Self::FailedChecks => {
                "the vault inside this backup does not pass its checks (integrity, audit log or counts); use another backup"
            }
        })
    }
}

fn fault(fault: BackupFault) -> Error {
    Error::Backup(fault)
}

/// What the header says, before anything is decrypted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Header {
    pub format: u32,
    pub vault_id: String,
    /// 16 random bytes in hex: the content key's salt.
    pub backup_id: String,
    pub created_at: String,
    pub payload_len: u64,
    pub chunk_len: u32,
    /// The vault's recovery slot when the backup was made.
    pub recovery: Option<Slot>,
    pub passphrases: Vec<PassphraseSlot>,
}

impl Header {
    fn chunks(&self) -> u64 {
        self.payload_len.div_ceil(u64::from(self.chunk_len)).max(1)
    }

    fn chunk_size(&self, index: u64) -> usize {
        let chunk = u64::from(self.chunk_len);
        let size = if index + 1 == self.chunks() {
            self.payload_len - index * chunk
        } else {
            chunk
        };
        usize::try_from(size).expect("a chunk is at most 16 MiB")
    }

    fn backup_salt(&self) -> Result<[u8; 16]> {
        hex::decode(&self.backup_id)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(fault(BackupFault::Damaged))
    }

    /// The key the payload is sealed with: only the vault's data key makes it.
    pub fn content_key(&self, data_key: &SecretKey) -> Result<SecretKey> {
        crypto::hkdf_key(
            &self.backup_salt()?,
            data_key.expose(),
            &[b"ruam/backup/content/v1/", self.vault_id.as_bytes()],
        )
    }

    fn encode(&self) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(self)?;
        let len = u32::try_from(json.len())
            .ok()
            .filter(|&len| len <= MAX_HEADER_LEN)
            .ok_or(Error::Encode("the backup's header"))?;
        let mut bytes = Vec::with_capacity(12 + json.len());
        bytes.extend_from_slice(&MAGIC);
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&json);
        Ok(bytes)
    }
}

fn header_hash(encoded: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, encoded);
    digest.as_ref().try_into().expect("SHA-256 is 32 bytes")
}

fn nonce(index: u64) -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    nonce[4..].copy_from_slice(&index.to_be_bytes());
    nonce
}

fn chunk_aad(hash: &[u8; 32], index: u64, last: bool) -> [u8; 41] {
    let mut aad = [0u8; 41];
    aad[..32].copy_from_slice(hash);
    aad[32..40].copy_from_slice(&index.to_be_bytes());
    aad[40] = u8::from(last);
    aad
}

fn aead_key(key: &SecretKey) -> Result<aead::LessSafeKey> {
    let unbound =
        aead::UnboundKey::new(&aead::AES_256_GCM, key.expose()).map_err(|_| Error::Crypto)?;
    Ok(aead::LessSafeKey::new(unbound))
}

/// Writes a backup: the header at once, then the payload as it is given, sealed a chunk
/// at a time. [`Writer::finish`] refuses a payload shorter or longer than the header said.
pub struct Writer<W: Write> {
    out: W,
    header: Header,
    key: aead::LessSafeKey,
    hash: [u8; 32],
    index: u64,
    buf: Vec<u8>,
}

impl<W: Write> std::fmt::Debug for Writer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("chunk", &self.index)
            .finish_non_exhaustive()
    }
}

impl<W: Write> Writer<W> {
    pub fn new(mut out: W, header: Header, data_key: &SecretKey) -> Result<Self> {
        if !(MIN_CHUNK_LEN..=MAX_CHUNK_LEN).contains(&header.chunk_len)
            || header.payload_len > MAX_PAYLOAD_LEN
        {
            return Err(Error::Encode("the backup's header"));
        }
        let key = aead_key(&header.content_key(data_key)?)?;
        let encoded = header.encode()?;
        out.write_all(&encoded).map_err(write_error)?;
        Ok(Self {
            out,
            hash: header_hash(&encoded),
            buf: Vec::with_capacity(header.chunk_size(0) + TAG_LEN),
            header,
            key,
            index: 0,
        })
    }

    /// Bytes of the payload sealed and written so far.
    pub fn written(&self) -> u64 {
        self.index * u64::from(self.header.chunk_len)
    }

    pub fn write_all(&mut self, mut bytes: &[u8]) -> Result<()> {
        while !bytes.is_empty() {
            if self.index >= self.header.chunks() {
                return Err(Error::Encode("a backup longer than its header says"));
            }
            let size = self.header.chunk_size(self.index);
            let take = (size - self.buf.len()).min(bytes.len());
            self.buf.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buf.len() == size {
                self.seal_chunk()?;
            }
        }
        Ok(())
    }

    fn seal_chunk(&mut self) -> Result<()> {
        let last = self.index + 1 == self.header.chunks();
        let aad = chunk_aad(&self.hash, self.index, last);
        self.key
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce(self.index)),
                aead::Aad::from(aad),
                &mut self.buf,
            )
            .map_err(|_| Error::Crypto)?;
        self.out.write_all(&self.buf).map_err(write_error)?;
        self.buf.clear();
        self.index += 1;
        Ok(())
    }

    /// Seal what is left and hand the output back (to be flushed and synced).
    pub fn finish(mut self) -> Result<W> {
        if self.header.payload_len == 0 && self.index == 0 {
            self.seal_chunk()?;
        }
        if self.index != self.header.chunks() || !self.buf.is_empty() {
            return Err(Error::Encode("a backup shorter than its header says"));
        }
        Ok(self.out)
    }
}

fn write_error(e: std::io::Error) -> Error {
    Error::io("the backup file", e)
}

/// Read exactly `out.len()` bytes; `Ok(false)` when the input ended first.
fn read_full(input: &mut impl Read, out: &mut [u8]) -> Result<bool> {
    let mut filled = 0;
    while filled < out.len() {
        match input.read(&mut out[filled..]) {
            Ok(0) => return Ok(false),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io("the backup file", e)),
        }
    }
    Ok(true)
}

/// Read and check a backup's header. Nothing is decrypted yet.
pub fn read_header(input: &mut impl Read) -> Result<(Header, [u8; 32])> {
    let mut start = [0u8; 12];
    if !read_full(input, &mut start)? {
        return Err(fault(if start.starts_with(&MAGIC[..4]) {
            BackupFault::Truncated
        } else {
            BackupFault::NotABackup
        }));
    }
    if start[..8] != MAGIC {
        return Err(fault(if start[..7] == MAGIC[..7] {
            BackupFault::NewerFormat
        } else {
            BackupFault::NotABackup
        }));
    }
    let len = u32::from_le_bytes(start[8..12].try_into().expect("four bytes"));
    if len > MAX_HEADER_LEN {
        return Err(fault(BackupFault::Damaged));
    }
    let mut encoded = vec![0u8; 12 + len as usize];
    encoded[..12].copy_from_slice(&start);
    if !read_full(input, &mut encoded[12..])? {
        return Err(fault(BackupFault::Truncated));
    }
    let value: serde_json::Value =
        serde_json::from_slice(&encoded[12..]).map_err(|_| fault(BackupFault::Damaged))?;
    match value.get("format").and_then(serde_json::Value::as_u64) {
        Some(f) if f == u64::from(FORMAT) => {}
        Some(f) if f > u64::from(FORMAT) => return Err(fault(BackupFault::NewerFormat)),
        _ => return Err(fault(BackupFault::Damaged)),
    }
    let header: Header = serde_json::from_value(value).map_err(|_| fault(BackupFault::Damaged))?;
    if !(MIN_CHUNK_LEN..=MAX_CHUNK_LEN).contains(&header.chunk_len)
        || header.payload_len > MAX_PAYLOAD_LEN
    {
        return Err(fault(BackupFault::Damaged));
    }
    header.backup_salt()?;
    Ok((header, header_hash(&encoded)))
}

/// The payload of a backup whose header was read, decrypted a chunk at a time. Every
/// byte handed out has been authenticated; the end is checked to be the file's end.
pub struct Payload<R: Read> {
    input: R,
    header: Header,
    key: aead::LessSafeKey,
    hash: [u8; 32],
    index: u64,
    chunk: Zeroizing<Vec<u8>>,
    pos: usize,
    /// Payload bytes handed out so far.
    read: u64,
}

impl<R: Read> std::fmt::Debug for Payload<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payload")
            .field("chunk", &self.index)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Payload<R> {
    pub fn new(input: R, header: Header, hash: [u8; 32], data_key: &SecretKey) -> Result<Self> {
        let key = aead_key(&header.content_key(data_key)?)?;
        Ok(Self {
            input,
            header,
            key,
            hash,
            index: 0,
            chunk: Zeroizing::new(Vec::new()),
            pos: 0,
            read: 0,
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Bytes of the payload read so far, of `header().payload_len`.
    pub fn read_so_far(&self) -> u64 {
        self.read
    }

    fn next_chunk(&mut self) -> Result<()> {
        if self.index >= self.header.chunks() {
            return Err(fault(BackupFault::Damaged));
        }
        let size = self.header.chunk_size(self.index);
        let last = self.index + 1 == self.header.chunks();
        let mut sealed = Zeroizing::new(vec![0u8; size + TAG_LEN]);
        if !read_full(&mut self.input, &mut sealed)? {
            return Err(fault(BackupFault::Truncated));
        }
        let aad = chunk_aad(&self.hash, self.index, last);
        let plain_len = self
            .key
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce(self.index)),
                aead::Aad::from(aad),
                &mut sealed,
            )
            .map_err(|_| fault(BackupFault::Damaged))?
            .len();
        sealed.truncate(plain_len);
        if last {
            // Nothing may follow the last chunk.
            let mut extra = [0u8; 1];
            if read_full(&mut self.input, &mut extra)? {
                return Err(fault(BackupFault::Damaged));
            }
        }
        self.chunk = sealed;
        self.pos = 0;
        self.index += 1;
        Ok(())
    }

    /// The next `len` bytes of the payload, at most one chunk's worth, authenticated.
    fn take(&mut self, len: usize) -> Result<&[u8]> {
        if self.pos == self.chunk.len() {
            self.next_chunk()?;
        }
        let n = len.min(self.chunk.len() - self.pos);
        let start = self.pos;
        self.pos += n;
        self.read += n as u64;
        Ok(&self.chunk[start..start + n])
    }

    /// Fill `out` from the payload; a payload that ends first is damaged (its length is
    /// sealed in the header).
    pub fn read_exact(&mut self, out: &mut [u8]) -> Result<()> {
        let mut filled = 0;
        while filled < out.len() {
            if self.read == self.header.payload_len {
                return Err(fault(BackupFault::Damaged));
            }
            let bytes = self.take(out.len() - filled)?;
            out[filled..filled + bytes.len()].copy_from_slice(bytes);
            filled += bytes.len();
        }
        Ok(())
    }

    /// Copy the next `len` bytes of the payload to `out`, calling `progress` after each
    /// chunk.
    pub fn copy_to(
        &mut self,
        mut len: u64,
        out: &mut impl Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<()> {
        while len > 0 {
            if self.read == self.header.payload_len {
                return Err(fault(BackupFault::Damaged));
            }
            let want = usize::try_from(len.min(u64::from(MAX_CHUNK_LEN))).expect("small");
            let bytes = self.take(want)?;
            out.write_all(bytes)
                .map_err(|e| Error::io("the restored file", e))?;
            len -= bytes.len() as u64;
            progress(self.read);
        }
        Ok(())
    }

    /// Check that the whole payload was read (which also checks the file's end).
    pub fn finish(mut self) -> Result<()> {
        if self.read != self.header.payload_len {
            return Err(fault(BackupFault::Damaged));
        }
        if self.index < self.header.chunks() {
            // A payload of nothing still has its one (empty) chunk to check.
            self.next_chunk()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(payload_len: u64, chunk_len: u32) -> Header {
        Header {
            format: FORMAT,
            vault_id: "v1".into(),
            backup_id: hex::encode([7u8; 16]),
            created_at: "2026-12-03T00:00:00Z".into(),
            payload_len,
            chunk_len,
            recovery: None,
            passphrases: Vec::new(),
        }
    }

    fn sealed(payload: &[u8], chunk_len: u32, key: &SecretKey) -> Vec<u8> {
        let mut writer =
            Writer::new(Vec::new(), header(payload.len() as u64, chunk_len), key).unwrap();
        // Given in uneven pieces, as a file is read.
        for piece in payload.chunks(1000) {
            writer.write_all(piece).unwrap();
        }
        writer.finish().unwrap()
    }

    fn opened(bytes: &[u8], key: &SecretKey) -> Result<Vec<u8>> {
        let mut input = bytes;
        let (header, hash) = read_header(&mut input)?;
        let len = header.payload_len;
        let mut payload = Payload::new(input, header, hash, key)?;
        let mut out = Vec::new();
        payload.copy_to(len, &mut out, &mut |_| {})?;
        payload.finish()?;
        Ok(out)
    }

    fn refusal(result: Result<Vec<u8>>) -> BackupFault {
        match result {
            Err(Error::Backup(fault)) => fault,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_payload_round_trips_whatever_its_length_against_the_chunk() {
        let key = SecretKey::random().unwrap();
        for len in [0usize, 1, 4095, 4096, 4097, 3 * 4096, 10_000] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let bytes = sealed(&payload, 4096, &key);
            assert_eq!(opened(&bytes, &key).unwrap(), payload, "length {len}");
        }
    }

    #[test]
    fn a_file_cut_short_anywhere_is_incomplete_and_a_changed_byte_is_damage() {
        let key = SecretKey::random().unwrap();
        let payload: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let bytes = sealed(&payload, 4096, &key);
        // Cut at every chunk boundary and inside chunks and the header.
        for cut in [5, 12, 40, bytes.len() - 1, bytes.len() - 4096 - 16] {
            let fault = refusal(opened(&bytes[..cut], &key));
            assert!(
                matches!(fault, BackupFault::Truncated | BackupFault::NotABackup),
                "cut at {cut}: {fault:?}"
            );
            if cut >= 8 {
                assert_eq!(fault, BackupFault::Truncated, "cut at {cut}");
            }
        }
        let header_end = bytes.len() - (payload.len() + 3 * TAG_LEN);
        for at in [20, header_end, header_end + 5000, bytes.len() - 1] {
            let mut changed = bytes.clone();
            changed[at] ^= 0x01;
            let fault = refusal(opened(&changed, &key));
            assert_eq!(fault, BackupFault::Damaged, "byte {at} changed");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(refusal(opened(&longer, &key)), BackupFault::Damaged);
        // Two chunks swapped.
        let mut swapped = bytes.clone();
        let a = header_end..header_end + 4096 + TAG_LEN;
        let b = a.end..a.end + 4096 + TAG_LEN;
        let first = swapped[a.clone()].to_vec();
        let second = swapped[b.clone()].to_vec();
        swapped[a.start..a.start + second.len()].copy_from_slice(&second);
        swapped[b.start..b.start + first.len()].copy_from_slice(&first);
        assert_eq!(refusal(opened(&swapped, &key)), BackupFault::Damaged);
        // Another vault's data key opens nothing.
        let other = SecretKey::random().unwrap();
        assert_eq!(refusal(opened(&bytes, &other)), BackupFault::Damaged);
    }

    #[test]
    fn other_files_and_newer_backups_are_named_as_such() {
        let key = SecretKey::random().unwrap();
        assert_eq!(
            refusal(opened(b"%PDF-1.7 not a backup at all", &key)),
            BackupFault::NotABackup
        );
        assert_eq!(refusal(opened(b"", &key)), BackupFault::NotABackup);
        let mut newer = sealed(b"payload", 4096, &key);
        newer[7] = b'2';
        assert_eq!(refusal(opened(&newer, &key)), BackupFault::NewerFormat);
        let mut future = header(7, 4096);
        future.format = FORMAT + 1;
        let json = serde_json::to_vec(&future).unwrap();
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&(json.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&json);
        assert_eq!(refusal(opened(&bytes, &key)), BackupFault::NewerFormat);
    }

    #[test]
    fn a_writer_refuses_more_or_less_than_the_header_says() {
        let key = SecretKey::random().unwrap();
        let mut writer = Writer::new(Vec::new(), header(10, 4096), &key).unwrap();
        writer.write_all(b"12345").unwrap();
        assert!(writer.finish().is_err());
        let mut writer = Writer::new(Vec::new(), header(4, 4096), &key).unwrap();
        assert!(writer.write_all(b"12345").is_err());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn valid_backup() -> Vec<u8> {
        let key = SecretKey::from_bytes([9u8; 32]);
        let header = Header {
            format: FORMAT,
            vault_id: "v1".into(),
            backup_id: hex::encode([7u8; 16]),
            created_at: "2026-12-03T00:00:00Z".into(),
            payload_len: 9000,
            chunk_len: 4096,
            recovery: None,
            passphrases: Vec::new(),
        };
        let mut writer = Writer::new(Vec::new(), header, &key).unwrap();
        writer.write_all(&[0x5a; 9000]).unwrap();
        writer.finish().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any bytes at all: refused, never a panic.
        #[test]
        fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            crate::backup::read_any(&bytes);
            let mut with_magic = MAGIC.to_vec();
            with_magic.extend_from_slice(&bytes);
            crate::backup::read_any(&with_magic);
        }

        /// A real backup with bytes changed, cut or added: refused, never a panic.
        #[test]
        fn a_changed_backup_is_read_without_panic(
            changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = valid_backup();
            for (at, value) in changes {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
            crate::backup::read_any(&bytes);
            let end = cut.index(bytes.len());
            crate::backup::read_any(&bytes[..end]);
        }
    }
}
