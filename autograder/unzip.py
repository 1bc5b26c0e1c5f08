"""Unpack a class archive (an LMS bulk download) safely into a folder.

Rejected, each with a reason: absolute paths, ``..`` entries, symbolic links and
other special files, encrypted or corrupt members, a name given twice. Skipped
silently: ``__MACOSX/`` and dotfiles (``.DS_Store``, ``.ipynb_checkpoints/``). The
whole archive is refused when it is not a zip or exceeds the size or file-count caps
(declared sizes are binding: zipfile never inflates a member past its declared size).
"""
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

MAX_TOTAL_BYTES = 1 << 30  # uncompressed
MAX_FILES = 10_000


class ArchiveError(Exception):
    """The archive as a whole cannot be used."""


def _problem(name):
    """Why a member name is unsafe, or None."""
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "a path that leaves the archive (..)"
    if "\0" in name:
        return "a name with a NUL byte"
    return None


def _skipped(parts):
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def unpack(archive, dest, max_total=MAX_TOTAL_BYTES, max_files=MAX_FILES):
    """Extract ``archive`` into ``dest``; return the rejected members as (name, reason)."""
    dest = Path(dest).resolve()
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as err:
        raise ArchiveError(f"not a readable zip archive ({err})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > max_files:
            raise ArchiveError(f"holds {len(infos):,} entries; the limit is {max_files:,}")
        total = sum(i.file_size for i in infos)
        if total > max_total:
            raise ArchiveError(f"unpacks to {total:,} bytes; the limit is {max_total:,}")
        rejected, seen = [], set()
        for info in infos:
            name = info.filename.replace("\\", "/")
            reason = _problem(name)
            parts = PurePosixPath(name).parts
            if reason is None and _skipped(parts):
                continue
            mode = info.external_attr >> 16
            if reason is None and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                reason = "a symbolic link" if stat.S_ISLNK(mode) else "a special file"
            if reason is None and not info.is_dir() and name in seen:
                reason = "a second member with the same name"
            target = dest.joinpath(*parts) if parts else dest
            if reason is None and dest not in (target, *target.parents):
                reason = "a path that leaves the archive"
            if reason:
                rejected.append((info.filename, reason))
                continue
            seen.add(name)
            try:
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as err:
                if target.is_file():
                    target.unlink()
                rejected.append((info.filename, f"could not be extracted ({err})"))
    return rejected
