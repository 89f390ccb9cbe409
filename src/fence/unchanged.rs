//! A staged file that comes out byte for byte as the earlier build's is not written again:
//! it is linked to that file. A rebuild writes the same 120 MB (six exports, 316 diagrams,
//! tables) over and over, and then flushes them and deletes the copy it replaces; comparing
//! with the earlier build as the bytes are made costs a read of pages the kernel holds.

use std::fs::{File, Metadata};
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The bytes compared at a time: a caller's one large write is compared in pieces, so the
/// buffer this holds stays this size whatever the caller writes at once.
const PIECE: usize = 64 << 10;

/// The earlier build's file, open, and what it was when opened: its size and time of
/// change, which a write to it moves, and its identity, which a link to it must have.
pub struct Earlier {
    path: PathBuf,
    file: File,
    seen: Metadata,
}

impl Earlier {
    /// The earlier build's file at `path`, if it is a regular file of this user (not a
    /// link, a FIFO or a device; not another user's, which the new build would share with
    /// them): opened without following a link and without waiting.
    pub fn open(path: &Path) -> Option<Earlier> {
        let (file, seen) = super::open_regular(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // SAFETY: geteuid has no preconditions and cannot fail.
            if seen.uid() != unsafe { libc::geteuid() } {
                return None;
            }
        }
        Some(Earlier {
            path: path.to_owned(),
            file,
            seen,
        })
    }

    /// An error of reading it, naming it.
    fn failed(&self, e: std::io::Error) -> std::io::Error {
        std::io::Error::new(
            e.kind(),
            format!("reading the earlier build's {}: {e}", self.path.display()),
        )
    }

    /// An error unless its bytes are still those it had when opened (the comparison, or the
    /// copy, read the bytes that were compared).
    fn unchanged(&self) -> std::io::Result<()> {
        let now = self.file.metadata().map_err(|e| self.failed(e))?;
        // Not the status time, which a link or a rename moves too.
        let same = now.len() == self.seen.len() && now.modified().ok() == self.seen.modified().ok();
        if same {
            return Ok(());
        }
        Err(std::io::Error::other(format!(
            "the earlier build's {} changed while this build compared it: build again",
            self.path.display()
        )))
    }

    /// Whether `path` is this file (a regular file, the same device and inode).
    fn is_at(&self, path: &Path) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            std::fs::symlink_metadata(path).is_ok_and(|m| {
                m.is_file() && m.dev() == self.seen.dev() && m.ino() == self.seen.ino()
            })
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            false
        }
    }

    /// Gives `hidden` (a new name, nothing there) this file's bytes: a hard link to the very
    /// file compared (on Linux by its descriptor, so a file put at its path meanwhile is not
    /// the one linked; elsewhere by its path, then checked), or, where that fails or would
    /// be another file, a copy of it. Returns the file now at `hidden`, open.
    pub fn link_as(mut self, hidden: &Path) -> std::io::Result<File> {
        self.unchanged()?;
        if self.link(hidden).is_ok() && self.is_at(hidden) {
            return Ok(self.file);
        }
        let _ = std::fs::remove_file(hidden);
        let mut to = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(hidden)?;
        self.file
            .seek(SeekFrom::Start(0))
            .map_err(|e| self.failed(e))?;
        std::io::copy(&mut self.file, &mut to)?;
        self.unchanged()?;
        Ok(to)
    }

    fn link(&self, hidden: &Path) -> std::io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            use std::os::unix::ffi::OsStrExt;
            let from = std::ffi::CString::new(format!("/proc/self/fd/{}", self.file.as_raw_fd()))
                .map_err(std::io::Error::other)?;
            let to = std::ffi::CString::new(hidden.as_os_str().as_bytes())
                .map_err(std::io::Error::other)?;
            // SAFETY: both are NUL-terminated paths that live through the call.
            let done = unsafe {
                libc::linkat(
                    libc::AT_FDCWD,
                    from.as_ptr(),
                    libc::AT_FDCWD,
                    to.as_ptr(),
                    libc::AT_SYMLINK_FOLLOW,
                )
            };
            if done == 0 {
                return Ok(());
            }
            Err(std::io::Error::last_os_error())
        }
        #[cfg(not(target_os = "linux"))]
        std::fs::hard_link(&self.path, hidden)
    }
}

/// How a staged file ended ([`Unchanged::finish`]).
pub enum Outcome {
    /// Every byte was the earlier file's, and it has no more: nothing was written.
    Same(Box<Earlier>),
    /// The bytes parted: the file holds them all.
    Written(File),
}

/// A writer into a new, empty `file` that compares what it is given with an earlier file
/// and writes nothing while the two agree. At the first byte that differs (or at the end,
/// when the earlier file is longer) the part that agreed is copied from the earlier file and
/// the rest written as it comes.
pub struct Unchanged {
    file: File,
    /// The earlier file, read as far as the bytes agreed; `None` once they parted.
    earlier: Option<(Earlier, BufReader<File>)>,
    agreed: u64,
    piece: Vec<u8>,
}

impl Unchanged {
    pub fn new(file: File, earlier: Earlier) -> std::io::Result<Self> {
        let reader = BufReader::with_capacity(PIECE, earlier.file.try_clone()?);
        Ok(Unchanged {
            file,
            earlier: Some((earlier, reader)),
            agreed: 0,
            piece: Vec::new(),
        })
    }

    /// Whether the earlier file goes on with `bytes` (read as far as they go).
    fn agrees(&mut self, bytes: &[u8]) -> std::io::Result<bool> {
        let Some((earlier, reader)) = self.earlier.as_mut() else {
            return Ok(false);
        };
        self.piece.resize(bytes.len(), 0);
        let mut read = 0;
        while read < bytes.len() {
            match reader.read(&mut self.piece[read..]) {
                Ok(0) => return Ok(false),
                Ok(n) => read += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(earlier.failed(e)),
            }
        }
        Ok(self.piece == bytes)
    }

    /// The bytes parted from the earlier file's: what agreed is copied from it into the file.
    fn part(&mut self) -> std::io::Result<()> {
        if let Some((earlier, reader)) = self.earlier.take() {
            let mut from = reader.into_inner();
            from.seek(SeekFrom::Start(0))
                .map_err(|e| earlier.failed(e))?;
            let copied = std::io::copy(&mut (&mut from).take(self.agreed), &mut self.file)?;
            if copied != self.agreed {
                return Err(earlier.failed(std::io::Error::other("it shrank")));
            }
            earlier.unchanged()?;
        }
        Ok(())
    }

    /// [`Outcome::Same`] when every byte agreed and the earlier file ends there; otherwise
    /// the file, complete.
    pub fn finish(mut self) -> std::io::Result<Outcome> {
        if let Some((earlier, reader)) = self.earlier.as_mut() {
            let ended = loop {
                match reader.read(&mut [0]) {
                    Ok(n) => break n == 0,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(earlier.failed(e)),
                }
            };
            if ended {
                let (earlier, _) = self.earlier.take().expect("just read");
                return Ok(Outcome::Same(Box::new(earlier)));
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
        let mut w = Unchanged::new(file, Earlier::open(&d.join("earlier")).unwrap()).unwrap();
        for chunk in now.chunks(step.max(1)) {
            w.write_all(chunk).unwrap();
        }
        let same = matches!(w.finish().unwrap(), Outcome::Same(_));
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

    /// The file linked is the file compared, not what is at its path by then; a file whose
    /// bytes changed after they were compared is not taken.
    #[test]
    fn the_file_compared_is_the_file_linked() {
        let d = scratch("link");
        std::fs::write(d.join("earlier"), "same").unwrap();
        let compare = |d: &Path| {
            let file = File::create(d.join("new")).unwrap();
            let mut w = Unchanged::new(file, Earlier::open(&d.join("earlier")).unwrap()).unwrap();
            w.write_all(b"same").unwrap();
            std::fs::remove_file(d.join("new")).unwrap();
            match w.finish().unwrap() {
                Outcome::Same(earlier) => earlier,
                Outcome::Written(_) => panic!("the same bytes"),
            }
        };
        let ino = |p: &Path| std::os::unix::fs::MetadataExt::ino(&p.metadata().unwrap());
        let earlier = compare(&d);
        let compared = ino(&d.join("earlier"));
        std::fs::rename(d.join("earlier"), d.join("moved")).unwrap();
        std::fs::write(d.join("earlier"), "other").unwrap();
        earlier.link_as(&d.join("new")).unwrap();
        assert_eq!(ino(&d.join("new")), compared);
        assert_eq!(std::fs::read_to_string(d.join("new")).unwrap(), "same");
        std::fs::remove_file(d.join("new")).unwrap();
        std::fs::write(d.join("earlier"), "same").unwrap();
        let earlier = compare(&d);
        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::write(d.join("earlier"), "sane").unwrap();
        let e = earlier.link_as(&d.join("new")).unwrap_err();
        assert!(
            e.to_string()
                .contains("changed while this build compared it"),
            "{e}"
        );
        assert!(!d.join("new").exists());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn only_a_regular_file_is_opened() {
        let d = scratch("plain");
        std::fs::write(d.join("file"), "x").unwrap();
        std::os::unix::fs::symlink(d.join("file"), d.join("link")).unwrap();
        assert!(Earlier::open(&d.join("file")).is_some());
        assert!(Earlier::open(&d.join("link")).is_none());
        assert!(Earlier::open(&d).is_none());
        assert!(Earlier::open(&d.join("none")).is_none());
        let _ = std::fs::remove_dir_all(&d);
    }
}
