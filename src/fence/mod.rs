//! Nothing medrd writes may touch what it reads: the one guard every command that writes
//! goes through (`build -o`, `export -o|--dcat|--csv`, `diagram -o`, `link rs
//! -o|--rs-graph|--report`, `link ids -o`, `bench gen -o`, `draft -o`). A [`Fence`] holds the
//! inputs of a command — the project's `ontology/`, `data/` and `queries/`, the `--with`
//! files, `--store` and the files the command itself reads — resolved through every symbolic
//! link, and refuses an output that is one of them, inside one or holds one, whatever the
//! flags. The writers here never follow a link: a file is written under a hidden new name
//! (created exclusively) and takes its name by a rename or a hard link, which replace a link
//! rather than write through it; only a device or pipe the user names (`-o /dev/stdout`) is
//! written into.

mod unchanged;

use crate::error::{Error, Result};
use crate::inputs::shown;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Most symbolic links followed while resolving one path (Linux's own limit).
const MAX_LINKS: usize = 40;

/// `path` made absolute with every symbolic link, `.` and `..` resolved as the kernel
/// resolves them, also where the last components do not exist yet (taken as written) and
/// where a link points to nothing (its target is followed as far as it exists). A loop of
/// links is an error.
pub fn resolve(path: &Path) -> Result<PathBuf> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    // Components still to walk, last first; `..` is kept as a component.
    let mut pending: Vec<OsString> = Vec::new();
    let push = |pending: &mut Vec<OsString>, p: &Path| {
        for c in p.components().rev() {
            match c {
                Component::Normal(n) => pending.push(n.to_owned()),
                Component::ParentDir => pending.push("..".into()),
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
    };
    let absolute = cwd.join(path);
    push(&mut pending, &absolute);
    let mut resolved = PathBuf::from("/");
    let mut links = 0;
    while let Some(name) = pending.pop() {
        if name == ".." {
            resolved.pop();
            continue;
        }
        let next = resolved.join(&name);
        let is_link = std::fs::symlink_metadata(&next).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            resolved = next;
            continue;
        }
        links += 1;
        if links > MAX_LINKS {
            return Err(Error::io(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "a symbolic link loop (or over 40 links deep): give a real path",
                ),
            ));
        }
        let target = std::fs::read_link(&next).map_err(|e| Error::io(&next, e))?;
        if target.is_absolute() {
            resolved = PathBuf::from("/");
        }
        push(&mut pending, &target);
    }
    Ok(resolved)
}

/// One thing a command reads: as given (for messages) and resolved.
#[derive(Clone, Debug)]
struct Input {
    shown: PathBuf,
    real: PathBuf,
}

/// The inputs of one command, against which every output is checked.
#[derive(Clone, Debug)]
pub struct Fence {
    /// Who reads them, for messages: "the build", "medrd export"…
    reader: String,
    inputs: Vec<Input>,
}

impl Fence {
    /// The inputs every command reads: `ontology/`, `data/` and `queries/` of the project,
    /// the `--with` files and directories and the `--store` directory.
    pub fn new(reader: impl Into<String>, layout: &crate::Layout) -> Result<Self> {
        let mut fence = Fence {
            reader: reader.into(),
            inputs: Vec::new(),
        };
        let project = [layout.ontology(), layout.data(), layout.queries()];
        for p in project.iter().chain(&layout.with).chain(&layout.store) {
            fence.reads(p)?;
        }
        Ok(fence)
    }

    /// Adds a file or directory the command reads.
    pub fn reads(&mut self, path: &Path) -> Result<&mut Self> {
        let real = resolve(path)?;
        self.inputs.push(Input {
            shown: path.to_owned(),
            real,
        });
        Ok(self)
    }

    /// Why `output` may not be written, or `None`: it is an input, lies inside one or holds
    /// one (all after resolving links).
    pub fn conflict(&self, output: &Path) -> Result<Option<String>> {
        let out = resolve(output)?;
        for input in &self.inputs {
            let name = shown(&input.shown);
            let reader = &self.reader;
            let why = if out == input.real {
                format!("it is {name}, which {reader} reads")
            } else if out.starts_with(&input.real) {
                format!("it is inside {name}, which {reader} reads")
            } else if input.real.starts_with(&out) {
                format!("it holds {name}, which {reader} reads")
            } else {
                continue;
            };
            return Ok(Some(why));
        }
        Ok(None)
    }

    /// Refuses `output` (exit 2 naming it and why) when [`Fence::conflict`] finds a reason.
    pub fn check(&self, output: &Path) -> Result<()> {
        match self.conflict(output)? {
            None => Ok(()),
            Some(why) => Err(Error::Refused {
                path: output.to_owned(),
                why: format!(
                    "{why}; medrd never writes into its inputs (ontology/, data/, queries/, \
                     --with, --store and the files the command reads) nor a directory holding \
                     them: give a path outside them"
                ),
            }),
        }
    }
}

/// Refuses `path` as an output file: a directory always, an existing file (or link) unless
/// `replace`. A device or pipe (`/dev/stdout`, a FIFO) is not refused: it holds nothing that
/// writing could replace.
pub fn refuse_existing(path: &Path, replace: bool) -> Result<()> {
    let exists = |why: &str| {
        Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, why.to_owned()),
        ))
    };
    if path.is_dir() {
        return exists("a directory: give a file name");
    }
    if !replace && std::fs::symlink_metadata(path).is_ok() && !is_stream(path) {
        return exists(
            "exists: medrd does not replace a file unless asked (pass --force to replace it)",
        );
    }
    Ok(())
}

/// Whether `path` is to be written as it is, not replaced: a device, a pipe or a socket, or
/// any path under `/dev/` or `/proc/` (`-o /dev/stdout` while stdout is redirected to a file
/// names that file through /proc, and must write into it, not rename over `/dev/stdout`).
fn is_stream(path: &Path) -> bool {
    path.starts_with("/dev") && path != Path::new("/dev")
        || path.starts_with("/proc") && path != Path::new("/proc")
        || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes the file `path` the user named with `write`, whole or not at all, and never over a
/// file the user did not ask to replace: the bytes go to a hidden file beside it (created
/// new), which takes the name only once complete. Without `replace` (a command's `--force`)
/// an existing `path` is refused before anything is written, and taking the name is a hard
/// link, which fails rather than replace a file that appeared meanwhile. A failed write
/// removes the hidden file and leaves whatever was at `path` as it was. A device or pipe is
/// written to directly. A link at `path` is replaced, never written through. The caller has
/// checked `path` with a [`Fence`].
pub fn write_file<R, E>(
    path: &Path,
    replace: bool,
    write: impl FnOnce(&mut dyn Write) -> std::result::Result<R, E>,
) -> Result<R>
where
    E: std::error::Error + Send + Sync + 'static,
{
    write_to(path, replace, true, None, write)
}

/// Writes the file `path` inside a directory medrd writes (a build, `--csv DIR`, the
/// diagrams): as [`write_file`], but whatever is at `path` — a link, a device, a pipe — is
/// never written into: only replaced with `replace`, else refused.
pub fn write_entry<R, E>(
    path: &Path,
    replace: bool,
    write: impl FnOnce(&mut dyn Write) -> std::result::Result<R, E>,
) -> Result<R>
where
    E: std::error::Error + Send + Sync + 'static,
{
    write_to(path, replace, false, None, write)
}

/// A staging directory: where a build is written before it takes the place of the earlier
/// build (if there is one, a directory medrd built).
#[derive(Clone, Debug)]
pub struct Stage {
    dir: PathBuf,
    earlier: Option<PathBuf>,
}

impl Stage {
    pub fn new(dir: &Path, earlier: Option<&Path>) -> Self {
        Stage {
            dir: dir.to_owned(),
            earlier: earlier.map(Path::to_owned),
        }
    }

    /// The directory the build is written into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The earlier build, which this one will replace.
    pub fn earlier(&self) -> Option<&Path> {
        self.earlier.as_deref()
    }

    /// The earlier build's file at the place of `path` (a file of this stage), if it is a
    /// regular file of this user in directories of the earlier build (no link on the way).
    fn earlier_file(&self, path: &Path) -> Option<unchanged::Earlier> {
        let root = self.earlier.as_ref()?;
        let relative = path.strip_prefix(&self.dir).ok()?;
        let mut dir = root.clone();
        for part in relative.parent()?.components() {
            dir.push(part);
            if !is_real_dir(&dir) {
                return None;
            }
        }
        unchanged::Earlier::open(&root.join(relative))
    }
}

/// [`write_entry`] of a file of `stage`, without flushing it to disk: the stage is flushed
/// whole ([`sync_tree`]) before it is put to use (`medrd build` writes hundreds of files: one
/// `fsync` each was 0.6 s of a 2 s build). A file whose bytes come out as those of the same
/// file in the earlier build is linked to that file instead of written again: a rebuild
/// neither writes nor flushes what did not change, and deleting the earlier build then frees
/// nothing of it.
pub fn write_staged<R, E>(
    stage: &Stage,
    path: &Path,
    replace: bool,
    write: impl FnOnce(&mut dyn Write) -> std::result::Result<R, E>,
) -> Result<R>
where
    E: std::error::Error + Send + Sync + 'static,
{
    write_to(path, replace, false, Some(stage), write)
}

/// [`write_staged`] into `stage` if there is one, else [`write_entry`].
pub fn write_entry_or_staged<R, E>(
    path: &Path,
    replace: bool,
    stage: Option<&Stage>,
    write: impl FnOnce(&mut dyn Write) -> std::result::Result<R, E>,
) -> Result<R>
where
    E: std::error::Error + Send + Sync + 'static,
{
    write_to(path, replace, false, stage, write)
}

/// Flushes to disk everything written under `dir` ([`write_staged`]): one `syncfs` of its
/// file system on Linux, elsewhere each file and directory in turn.
pub fn sync_tree(dir: &Path) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let d = std::fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
        // SAFETY: `d` is an open descriptor for as long as the call runs.
        if unsafe { libc::syncfs(d.as_raw_fd()) } != 0 {
            return Err(Error::io(dir, std::io::Error::last_os_error()));
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let mut pending = vec![dir.to_owned()];
        while let Some(d) = pending.pop() {
            for entry in std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
                let path = entry.map_err(|e| Error::io(&d, e))?.path();
                let meta = path.symlink_metadata().map_err(|e| Error::io(&path, e))?;
                if meta.is_dir() {
                    pending.push(path);
                } else if meta.is_file() {
                    let f = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
                    f.sync_all().map_err(|e| Error::io(&path, e))?;
                }
            }
        }
        Ok(())
    }
}

/// The size from which a staged file is sent to disk as soon as it is written
/// ([`start_writeback`]): below it, a file's own request costs more than waiting for it.
const WRITEBACK_FROM: u64 = 1 << 20;

/// Starts writing a staged file's bytes to disk without waiting (Linux: `sync_file_range`),
/// so that the disk works while the other files are made and [`sync_tree`] at the end has
/// little left to wait for. Only a head start: errors are left to that flush.
fn start_writeback(file: &std::fs::File) {
    #[cfg(target_os = "linux")]
    if file.metadata().is_ok_and(|m| m.len() >= WRITEBACK_FROM) {
        use std::os::fd::AsRawFd;
        // SAFETY: `file` is an open descriptor for as long as the call runs.
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

fn writing<E: std::error::Error + Send + Sync + 'static>(path: &Path, e: E) -> Error {
    Error::Writing {
        path: path.to_owned(),
        cause: Box::new(e),
    }
}

/// Writes `path` (see [`write_file`]; `streams`: a device or pipe is written into), flushed
/// unless it is a file of a `stage`.
fn write_to<R, E>(
    path: &Path,
    replace: bool,
    streams: bool,
    stage: Option<&Stage>,
    write: impl FnOnce(&mut dyn Write) -> std::result::Result<R, E>,
) -> Result<R>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let stream = streams && is_stream(path);
    if !stream {
        refuse_existing(path, replace)?;
    }
    if stream {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        return fill(path, file, write).map(|(r, _)| r);
    }
    let (hidden, file) = create_hidden(path)?;
    let earlier = stage.and_then(|s| s.earlier_file(path));
    let filled = match earlier {
        None => fill(path, file, write),
        Some(earlier) => unchanged::Unchanged::new(file, earlier)
            .map_err(|e| writing(path, e))
            .and_then(|w| fill(path, w, write))
            .and_then(|(r, w)| {
                let file = match w.finish().map_err(|e| writing(path, e))? {
                    unchanged::Outcome::Written(file) => file,
                    unchanged::Outcome::Same(earlier) => {
                        std::fs::remove_file(&hidden).map_err(|e| Error::io(&hidden, e))?;
                        earlier.link_as(&hidden).map_err(|e| writing(path, e))?
                    }
                };
                Ok((r, file))
            }),
    };
    let written = filled.and_then(|(r, file)| {
        if stage.is_none() {
            file.sync_all().map_err(|e| writing(path, e))?;
        } else {
            start_writeback(&file);
        }
        if replace {
            std::fs::rename(&hidden, path)
        } else {
            take_new_name(&hidden, path)
        }
        .map_err(|e| Error::io(path, e))?;
        Ok(r)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&hidden);
    }
    written
}

/// Whether `path` is a directory itself, not a link to one: what an earlier build's files
/// are read through (a link there could lead a build to read what it did not write).
pub fn is_real_dir(path: &Path) -> bool {
    path.symlink_metadata().is_ok_and(|m| m.is_dir())
}

/// `path` opened for reading if it is a regular file (not a link, a FIFO or a device), with
/// its metadata: opened without following a link and without waiting, then checked.
pub fn open_regular(path: &Path) -> Option<(std::fs::File, std::fs::Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).ok()?;
    let meta = file.metadata().ok()?;
    meta.is_file().then_some((file, meta))
}

/// Gives `write` a buffered writer into `out`; the result and `out` when it is done.
fn fill<R, E, W: Write>(
    path: &Path,
    out: W,
    write: impl FnOnce(&mut dyn Write) -> std::result::Result<R, E>,
) -> Result<(R, W)>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    let r = write(&mut w).map_err(|e| writing(path, e))?;
    let out = w.into_inner().map_err(|e| writing(path, e.into_error()))?;
    Ok((r, out))
}

/// Creates the hidden file beside `path` that its bytes are written to: a name no other run
/// uses (the process and the clock; one left by a run that was killed, or by another process
/// that had this pid, is passed over, never reused), created exclusively, so a link of that
/// name is never followed.
fn create_hidden(path: &Path) -> Result<(PathBuf, std::fs::File)> {
    let name = path.file_name().ok_or_else(|| {
        Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "names no file"),
        )
    })?;
    let mut attempt = 0u32;
    loop {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let hidden = path.with_file_name(format!(
            ".{}.medrd-{}-{stamp}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&hidden)
        {
            Ok(file) => return Ok((hidden, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 8 => {
                attempt += 1;
            }
            Err(e) => return Err(Error::io(&hidden, e)),
        }
    }
}

/// Gives the complete file `hidden` the name `path`, which must not exist: by a hard link,
/// which fails if a file took the name meanwhile; where the file system has no hard links
/// (vfat, exFAT, some network shares), by a rename after looking again.
fn take_new_name(hidden: &Path, path: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(hidden, path) {
        Ok(()) => std::fs::remove_file(hidden),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(std::io::Error::new(
            e.kind(),
            "a file took this name while medrd was writing it: it was left as it is",
        )),
        Err(_) if std::fs::symlink_metadata(path).is_err() => std::fs::rename(hidden, path),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("medrd-fence-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.canonicalize().unwrap()
    }

    #[test]
    fn resolve_follows_links_dangling_ones_and_dot_dot_after_them() {
        let d = scratch("resolve");
        std::fs::create_dir_all(d.join("real/sub")).unwrap();
        std::os::unix::fs::symlink(d.join("real/sub"), d.join("link")).unwrap();
        std::os::unix::fs::symlink("real/new", d.join("dangling")).unwrap();
        std::os::unix::fs::symlink("loop", d.join("loop")).unwrap();
        assert_eq!(resolve(&d.join("link/x")).unwrap(), d.join("real/sub/x"));
        // `..` after a link goes up from where the link points, as the kernel does
        assert_eq!(resolve(&d.join("link/../y")).unwrap(), d.join("real/y"));
        assert_eq!(resolve(&d.join("dangling")).unwrap(), d.join("real/new"));
        assert!(resolve(&d.join("loop/x")).is_err());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn an_output_inside_above_or_through_a_link_to_an_input_is_refused() {
        let d = scratch("check");
        std::fs::create_dir_all(d.join("data/src/projects")).unwrap();
        std::os::unix::fs::symlink(d.join("data/src"), d.join("out")).unwrap();
        let mut f = Fence {
            reader: "medrd test".into(),
            inputs: Vec::new(),
        };
        f.reads(&d.join("data")).unwrap();
        for (out, why) in [
            (d.join("data"), "it is "),
            (d.join("data/src/projects"), "it is inside"),
            (d.join("data/src/new.ttl"), "it is inside"),
            (d.join("out/p1.toml"), "it is inside"),
            (d.clone(), "it holds"),
        ] {
            let e = f.check(&out).unwrap_err().to_string();
            assert!(e.contains(why) && e.contains("medrd test reads"), "{e}");
        }
        assert!(f.check(&d.join("dist")).is_ok());
        assert!(f.check(&d.join("data2/x")).is_ok());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn an_entry_replaces_a_link_and_never_writes_through_it() {
        let d = scratch("entry");
        std::fs::write(d.join("outside.txt"), "keep").unwrap();
        std::fs::create_dir(d.join("dir")).unwrap();
        std::os::unix::fs::symlink(d.join("outside.txt"), d.join("dir/t.csv")).unwrap();
        let e = write_entry(&d.join("dir/t.csv"), false, |w| w.write_all(b"x")).unwrap_err();
        assert!(e.to_string().contains("exists"), "{e}");
        write_entry(&d.join("dir/t.csv"), true, |w| w.write_all(b"new")).unwrap();
        assert_eq!(
            std::fs::read_to_string(d.join("outside.txt")).unwrap(),
            "keep"
        );
        assert_eq!(std::fs::read_to_string(d.join("dir/t.csv")).unwrap(), "new");
        assert!(!d.join("dir/t.csv").is_symlink());
        let _ = std::fs::remove_dir_all(&d);
    }
}
