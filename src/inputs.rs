//! Reading the files a command is given, as an attacker may give them: only regular files
//! (a FIFO, `/dev/zero` or a symbolic link loop is named for what it is, never read or waited
//! on), within a size where a file is read whole, in UTF-8 or Shift_JIS (CP932) with the
//! encoding said when it is neither; and names from input (file names, ZIP entries) printed
//! with their control characters escaped, so that no name can drive the terminal.

use crate::error::{Error, Result};
pub use crate::text::{escape, escape_message, shown};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The largest TOML, query or CSV file read whole (data/, queries/, decisions, truth tables).
pub const MAX_SMALL_FILE: u64 = 16 << 20;
/// The largest text `medrd draft` reads (the FY2024 summary is 60 KB).
pub const MAX_DRAFT_TEXT: u64 = 64 << 20;

fn refused(path: &Path, kind: std::io::ErrorKind, why: String) -> Error {
    Error::io(path, std::io::Error::new(kind, why))
}

/// What a file that is not a regular file is, for people.
fn non_regular(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a named pipe (FIFO), not a file: medrd reads only regular files";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device, not a file: medrd reads only regular files";
        }
        if ft.is_socket() {
            return "a socket, not a file: medrd reads only regular files";
        }
    }
    if ft.is_dir() {
        "a directory: give a file"
    } else {
        "not a regular file: medrd reads only regular files"
    }
}

/// Why `path` could not be opened, in words: a symbolic link loop or a link to nothing is
/// named as such rather than "No such file".
fn open_error(path: &Path, e: std::io::Error) -> Error {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return refused(
            path,
            std::io::ErrorKind::InvalidInput,
            "a symbolic link loop (it resolves to itself): give the file it should name".into(),
        );
    }
    if e.kind() == std::io::ErrorKind::NotFound {
        if let Ok(target) = std::fs::read_link(path) {
            return refused(
                path,
                e.kind(),
                format!(
                    "a symbolic link to {}, which does not exist",
                    shown(&target)
                ),
            );
        }
        return refused(path, e.kind(), "no such file".into());
    }
    Error::io(path, e)
}

/// Opens `path` for reading if it is a regular file (links followed), without waiting: a
/// FIFO is refused, not opened until a writer comes. With `limit`, a file over that many
/// bytes is refused too.
pub fn open(path: &Path, limit: Option<u64>) -> Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading blocks until a writer opens it; O_NONBLOCK returns at
        // once (and changes nothing for a regular file).
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| open_error(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            std::io::ErrorKind::IsADirectory
        } else {
            std::io::ErrorKind::InvalidInput
        };
        return Err(refused(path, kind, non_regular(&meta.file_type()).into()));
    }
    if let Some(limit) = limit.filter(|l| meta.len() > *l) {
        return Err(refused(
            path,
            std::io::ErrorKind::FileTooLarge,
            format!(
                "{} bytes, over the limit of {} bytes for a file medrd reads whole",
                crate::text::thousands(meta.len().try_into().unwrap_or(i64::MAX)),
                crate::text::thousands(limit.try_into().unwrap_or(i64::MAX))
            ),
        ));
    }
    Ok(file)
}

/// The bytes of the regular file `path`, at most `limit` of them (a file that grows while
/// read is cut there and refused).
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let file = open(path, Some(limit))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(refused(
            path,
            std::io::ErrorKind::FileTooLarge,
            format!("over the limit of {limit} bytes for a file medrd reads whole"),
        ));
    }
    Ok(bytes)
}

/// Where the first bytes are that are not UTF-8: 1-based line and column (in characters)
/// and the bytes of the broken sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadByte {
    pub line: usize,
    pub column: usize,
    pub bytes: Vec<u8>,
}

impl std::fmt::Display for BadByte {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {} ({})",
            self.line,
            self.column,
            hex(&self.bytes)
        )
    }
}

/// Bytes as people read them in a message: `bytes 0xE8 0xAA 0xFF`.
pub fn hex(bytes: &[u8]) -> String {
    let list: Vec<String> = bytes.iter().map(|b| format!("0x{b:02X}")).collect();
    format!(
        "{} {}",
        if bytes.len() == 1 { "byte" } else { "bytes" },
        list.join(" ")
    )
}

/// The broken UTF-8 sequence at `offset` of `bytes` (all valid before it): a stray byte
/// alone (0x80–0xC1, 0xF5–0xFF), or a lead byte with what follows of its sequence and the
/// byte that broke it.
pub fn broken_sequence(bytes: &[u8], offset: usize) -> &[u8] {
    let rest = &bytes[offset..];
    let len = std::str::from_utf8(rest)
        .err()
        .and_then(|e| e.error_len())
        .unwrap_or(rest.len());
    let len = if rest.first().is_some_and(|b| (0xC2..=0xF4).contains(b)) {
        len + 1
    } else {
        len
    };
    &rest[..len.clamp(1, 4).min(rest.len())]
}

/// The place of the bytes at `offset` of `bytes`, all valid UTF-8 before it.
fn bad_byte(bytes: &[u8], offset: usize) -> BadByte {
    let before = String::from_utf8_lossy(&bytes[..offset]);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    BadByte {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
        bytes: broken_sequence(bytes, offset).to_vec(),
    }
}

/// How much of `bytes` reads as UTF-8: the valid characters of two bytes or more, and the
/// byte sequences that are not UTF-8 (a sequence cut by the end of `bytes` is not counted).
fn utf8_census(bytes: &[u8]) -> (usize, usize) {
    let (mut multi, mut bad) = (0, 0);
    let mut rest = bytes;
    loop {
        let (valid, error) = match std::str::from_utf8(rest) {
            Ok(s) => (s, None),
            Err(e) => (
                // SAFETY-free: the prefix up to valid_up_to is valid by definition.
                std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or(""),
                Some(e),
            ),
        };
        multi += valid.chars().filter(|c| c.len_utf8() > 1).count();
        let Some(e) = error else { break };
        let Some(len) = e.error_len() else { break };
        bad += 1;
        rest = &rest[e.valid_up_to() + len..];
    }
    (multi, bad)
}

/// Whether bytes that are not all UTF-8 still look like UTF-8 with a few bad bytes rather
/// than Shift_JIS: Shift_JIS text is almost never valid UTF-8 beyond a character or two, so
/// many valid multi-byte characters against few bad sequences is UTF-8 damaged.
fn looks_like_utf8(bytes: &[u8]) -> bool {
    let (multi, bad) = utf8_census(bytes);
    multi >= 4 && multi >= 4 * bad
}

/// The text encodings medrd reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    ShiftJis,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::ShiftJis => "Shift_JIS (CP932)",
        }
    }

    /// The encoding of a text from its first bytes (`prefix`, cut anywhere, `whole` when it
    /// is the whole text): UTF-8 (with or without BOM) when they read as UTF-8 or look like
    /// UTF-8 with a bad byte (which reading then reports), else Shift_JIS.
    pub fn sniff(prefix: &[u8], whole: bool) -> Self {
        if prefix.starts_with(b"\xEF\xBB\xBF") {
            return Encoding::Utf8Bom;
        }
        match std::str::from_utf8(prefix) {
            Ok(_) => Encoding::Utf8,
            Err(e) if e.error_len().is_none() && !whole => Encoding::Utf8,
            Err(_) if looks_like_utf8(prefix) => Encoding::Utf8,
            Err(_) => Encoding::ShiftJis,
        }
    }
}

/// Decodes a whole text in UTF-8 (a BOM dropped) or Shift_JIS (CP932), whichever it is;
/// an error says which it looked like and where the first byte is that is neither.
pub fn decode_text(path: &Path, bytes: Vec<u8>) -> Result<(String, Encoding)> {
    let encoding = Encoding::sniff(&bytes, true);
    let bad = |b: BadByte, why: &str| {
        refused(
            path,
            std::io::ErrorKind::InvalidData,
            format!("not a text medrd can read: {why} at {b}"),
        )
    };
    match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => {
            let skip = if encoding == Encoding::Utf8Bom { 3 } else { 0 };
            match String::from_utf8(bytes) {
                Ok(mut s) => {
                    s.drain(..skip);
                    Ok((s, encoding))
                }
                Err(e) => {
                    let offset = e.utf8_error().valid_up_to();
                    let bytes = e.into_bytes();
                    Err(bad(
                        bad_byte(&bytes, offset),
                        "it reads as UTF-8 but has bytes that are not UTF-8",
                    ))
                }
            }
        }
        Encoding::ShiftJis => {
            match encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(&bytes)
            {
                Some(text) => Ok((text.into_owned(), encoding)),
                None => {
                    let offset = std::str::from_utf8(&bytes)
                        .err()
                        .map_or(0, |e| e.valid_up_to());
                    Err(bad(
                        bad_byte(&bytes, offset),
                        "it is neither UTF-8 nor Shift_JIS (CP932): the first bytes that are not UTF-8 are",
                    ))
                }
            }
        }
    }
}

/// Reads the regular file `path` whole (at most `limit` bytes) as UTF-8 text, saying where
/// the first byte is that is not UTF-8 (TOML, SPARQL and the documents' texts are UTF-8).
pub fn read_utf8(path: &Path, limit: u64) -> Result<String> {
    let bytes = read(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let at = bad_byte(e.as_bytes(), offset);
        let hint = if looks_like_utf8(e.as_bytes()) {
            ""
        } else if encoding_rs::SHIFT_JIS
            .decode_without_bom_handling_and_without_replacement(e.as_bytes())
            .is_some()
        {
            " (the file looks like Shift_JIS: convert it to UTF-8)"
        } else {
            ""
        };
        refused(
            path,
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text: bytes that are not UTF-8 at {at}{hint}"),
        )
    })
}

/// A reader giving UTF-8 from a stream of UTF-8 or Shift_JIS (CP932) bytes, which one
/// decided by the first 64 KiB ([`Encoding::sniff`]); a BOM is dropped. UTF-8 passes through
/// unchecked (the reader of the text reports a bad byte with its line), Shift_JIS is
/// decoded as it streams. Memory: its two buffers, whatever the stream's length.
pub struct Utf8Stream<R> {
    inner: R,
    encoding: Encoding,
    /// Bytes read but not yet given: the sniffed prefix, then decoded text.
    pending: Vec<u8>,
    at: usize,
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    done: bool,
}

const SNIFF: usize = 64 << 10;

impl<R: Read> Utf8Stream<R> {
    pub fn new(mut inner: R) -> std::io::Result<Self> {
        let mut prefix = Vec::with_capacity(SNIFF);
        (&mut inner).take(SNIFF as u64).read_to_end(&mut prefix)?;
        let whole = prefix.len() < SNIFF;
        let encoding = Encoding::sniff(&prefix, whole);
        let mut at = 0;
        if encoding == Encoding::Utf8Bom {
            at = 3;
        }
        let mut s = Utf8Stream {
            inner,
            encoding,
            pending: Vec::new(),
            at: 0,
            decoder: None,
            raw: prefix,
            done: false,
        };
        if encoding == Encoding::ShiftJis {
            s.decoder = Some(encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling());
            s.decode(whole)?;
        } else {
            s.pending = std::mem::take(&mut s.raw);
            s.at = at;
        }
        Ok(s)
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Decodes what `raw` holds into `pending` (`last`: the stream ended).
    fn decode(&mut self, last: bool) -> std::io::Result<()> {
        let Some(decoder) = self.decoder.as_mut() else {
            return Ok(());
        };
        let room = decoder
            .max_utf8_buffer_length(self.raw.len())
            .unwrap_or(self.raw.len() * 3 + 16);
        self.pending.clear();
        self.pending.resize(room, 0);
        let (_, read, written, _) = decoder.decode_to_utf8(&self.raw, &mut self.pending, last);
        self.pending.truncate(written);
        self.raw.drain(..read);
        self.at = 0;
        self.done = last;
        Ok(())
    }
}

impl<R: Read> Read for Utf8Stream<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.at < self.pending.len() {
                let n = buf.len().min(self.pending.len() - self.at);
                buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if self.decoder.is_none() {
                return self.inner.read(buf);
            }
            let mut chunk = [0u8; 8192];
            let n = self.inner.read(&mut chunk)?;
            self.raw.extend_from_slice(&chunk[..n]);
            self.decode(n == 0)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_names_control_characters() {
        assert_eq!(escape("予算.csv"), "予算.csv");
        assert_eq!(escape("a\x1b[31mb\nc"), "a\\x1b[31mb\\nc");
        assert_eq!(escape("x\u{9b}y\u{202e}"), "x\\u{9b}y\\u{202e}");
        assert_eq!(escape_message("one\ntwo\x07"), "one\ntwo\\x07");
    }

    #[test]
    fn sniff_tells_utf8_damaged_from_shift_jis() {
        let text = "予算事業ID,事業名,府省庁\n1,認知症研究開発事業,厚生労働省\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        assert_eq!(Encoding::sniff(&sjis, true), Encoding::ShiftJis);
        assert_eq!(Encoding::sniff(text.as_bytes(), true), Encoding::Utf8);
        let mut damaged = text.as_bytes().to_vec();
        damaged[40] = 0xFF; // the first byte of 知 on line 2
        assert_eq!(Encoding::sniff(&damaged, true), Encoding::Utf8);
        let e = decode_text(Path::new("t.txt"), damaged)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2, column 4 (byte 0xFF)"), "{e}");
        let mut cut = text.as_bytes().to_vec();
        cut[38] = b'x'; // the second byte of 認: its lead byte starts a broken sequence
        let e = decode_text(Path::new("t.txt"), cut)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2, column 3 (bytes 0xE8 0x78)"), "{e}");
        assert_eq!(
            decode_text(Path::new("t.txt"), sjis.into_owned()).unwrap(),
            (text.to_owned(), Encoding::ShiftJis)
        );
        // cut in the middle of a character: still UTF-8
        assert_eq!(
            Encoding::sniff(&text.as_bytes()[..4], false),
            Encoding::Utf8
        );
    }

    #[test]
    fn a_stream_of_shift_jis_reads_as_utf8_in_small_pieces() {
        let text = "（単位：千円）\n予算事業ID,当初予算\n".repeat(5000);
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
        let mut s = Utf8Stream::new(&sjis[..]).unwrap();
        assert_eq!(s.encoding(), Encoding::ShiftJis);
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert_eq!(out, text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let mut out = String::new();
        Utf8Stream::new(&bom[..])
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
    }
}
