//! A staged file that comes out byte for byte as the earlier build's is not written again:
//! it is linked to that file. A rebuild writes the same 120 MB (six exports, 316 diagrams,
//! tables) over and over, and then flushes them and deletes the copy it replaces; comparing
//! with the earlier build as the bytes are made costs a read of pages the kernel holds.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The bytes compared at a time: a caller's one large write is compared in pieces, so the
/// buffer this holds stays this size whatever the caller writes at once.
const PIECE: usize = 64 << 10;

/// How a staged file ended ([`Unchanged::finish`]).
pub enum Outcome {
    /// Every byte was the earlier file's, and it has no more: nothing was written.
    Same,
    /// The bytes parted: the file holds them all.
    Written(File),
}

/// A writer into a new, empty `file` that compares what it is given with an `earlier` file
/// and writes nothing while the two agree. At the first byte that differs (or at the end,
/// when the earlier file is longer) the part that agreed is copied from the earlier file and
/// the rest written as it comes.
pub struct Unchanged {
    file: File,
    /// The earlier file, read as far as the bytes agreed; `None` once they parted.
    earlier: Option<BufReader<File>>,
    agreed: u64,
    piece: Vec<u8>,
}

impl Unchanged {
    pub fn new(file: File, earlier: File) -> Self {
        Unchanged {
            file,
            earlier: Some(BufReader::with_capacity(PIECE, earlier)),
            agreed: 0,
            piece: Vec::new(),
        }
    }

    /// Whether the earlier file goes on with `bytes` (read as far as they go).
    fn agrees(&mut self, bytes: &[u8]) -> std::io::Result<bool> {
        let Some(earlier) = self.earlier.as_mut() else {
            return Ok(false);
        };
        self.piece.resize(bytes.len(), 0);
        let mut read = 0;
        while read < bytes.len() {
            match earlier.read(&mut self.piece[read..])? {
                0 => return Ok(false),
                n => read += n,
            }
        }
        Ok(self.piece == bytes)
    }

    /// The bytes parted from the earlier file's: what agreed is copied from it into the file.
    fn part(&mut self) -> std::io::Result<()> {
        if let Some(earlier) = self.earlier.take() {
            let mut earlier = earlier.into_inner();
            earlier.seek(SeekFrom::Start(0))?;
            let copied = std::io::copy(&mut (&mut earlier).take(self.agreed), &mut self.file)?;
            if copied != self.agreed {
                return Err(std::io::Error::other(
                    "the earlier build's file shrank while it was compared",
                ));
            }
        }
        Ok(())
    }

    /// [`Outcome::Same`] when every byte agreed and the earlier file ends there; otherwise
    /// the file, complete.
    pub fn finish(mut self) -> std::io::Result<Outcome> {
        if let Some(earlier) = self.earlier.as_mut() {
            if earlier.read(&mut [0])? == 0 {
                return Ok(Outcome::Same);
            }
            self.part()?;
        }
        Ok(Outcome::Written(self.file))
    }
}

impl Write for Unchanged {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.earlier.is_some() {
            let piece = &bytes[..bytes.len().min(PIECE)];
            if self.agrees(piece)? {
                self.agreed += piece.len() as u64;
                return Ok(piece.len());
            }
            self.part()?;
        }
        self.file.write(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// The earlier build's file at `path`, opened for [`Unchanged`] if it is a regular file (not
/// a link, a FIFO or a device): opened without following a link and without waiting.
pub fn open_plain(path: &Path) -> Option<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).ok()?;
    file.metadata().ok()?.is_file().then_some(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("medrd-same-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Writes `now` in pieces of `step` bytes over an earlier file holding `before`: what
    /// comes out, and whether it was the same.
    fn over(before: &[u8], now: &[u8], step: usize) -> (bool, Vec<u8>) {
        let d = scratch(&format!("{}-{}-{step}", before.len(), now.len()));
        std::fs::write(d.join("earlier"), before).unwrap();
        let file = File::create(d.join("new")).unwrap();
        let mut w = Unchanged::new(file, open_plain(&d.join("earlier")).unwrap());
        for chunk in now.chunks(step.max(1)) {
            w.write_all(chunk).unwrap();
        }
        let same = matches!(w.finish().unwrap(), Outcome::Same);
        let written = std::fs::read(d.join("new")).unwrap();
        let _ = std::fs::remove_dir_all(&d);
        (same, written)
    }

    /// Same bytes: nothing written. Otherwise the file holds exactly the new bytes, whether
    /// they part at the start, in the middle, past a piece, at the earlier file's end (longer,
    /// shorter) or not at all; in small writes and in one larger than a piece.
    #[test]
    fn only_bytes_that_differ_from_the_earlier_file_are_written() {
        let big: Vec<u8> = (0..3 * PIECE + 17).map(|i| (i % 251) as u8).collect();
        let mut changed = big.clone();
        changed[PIECE + 5] ^= 1;
        for step in [1, 7, 4096, big.len()] {
            assert_eq!(over(&big, &big, step), (true, Vec::new()), "{step}");
            assert_eq!(over(b"", b"", step), (true, Vec::new()));
            for (before, now) in [
                (&big[..], &changed[..]),
                (&big[..], &big[..big.len() - 1]),
                (&big[..big.len() - 1], &big[..]),
                (&b"abc"[..], &b"xbc"[..]),
                (&b""[..], &b"new"[..]),
                (&b"old"[..], &b""[..]),
            ] {
                assert_eq!(over(before, now, step), (false, now.to_vec()), "{step}");
            }
        }
    }

    #[test]
    fn only_a_regular_file_is_opened() {
        let d = scratch("plain");
        std::fs::write(d.join("file"), "x").unwrap();
        std::os::unix::fs::symlink(d.join("file"), d.join("link")).unwrap();
        assert!(open_plain(&d.join("file")).is_some());
        assert!(open_plain(&d.join("link")).is_none());
        assert!(open_plain(&d).is_none());
        assert!(open_plain(&d.join("none")).is_none());
        let _ = std::fs::remove_dir_all(&d);
    }
}
