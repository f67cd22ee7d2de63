"""Course archives: a deterministic ``.tar.gz`` of an OLX tree, written atomically.

    write_archive(files, path, top="course")   {name: bytes or Path} -> path (same files, same bytes)

(Reading archives safely, members checked before anything is unpacked, is ``validation``'s job.)

Determinism: members sorted (each folder before what it holds), mtime 0, uid/gid 0, no user names,
fixed modes, gzip header without name or time. The gzip file is a sequence of members (RFC 1952
allows it; gzip, GNU tar and Python's ``tarfile``, which Studio's import uses, read them as one
stream; Studio's import opens the upload with ``tarfile.open(temp_filepath)`` in openedx-platform
cms/djangoapps/contentstore/tasks.py, ``import_olx``), each holding a run of tar entries, so a
rebuild from the cache compresses only the runs whose files changed. Atomic: the archive is written to a temporary file
beside ``path`` and renamed over it only when complete, so a failed build never leaves a half-written
archive.

Members are plain ustar headers written here rather than through ``tarfile``: a course has tens of
thousands of small files, and building each header through ``tarfile`` cost more than compressing
the whole archive. ``tarfile`` (and GNU tar, and Studio) read the result; the tests check it.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import struct
import zlib
from pathlib import Path

from .i18n import _

COMPRESSLEVEL = 6  # gzip's default, as `tar czf` uses
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no flags, mtime 0, OS unknown
BLOCK = 512


def _ordered(files, top):
    """(archive name, data or None for a folder), folders first and everything sorted by path parts."""
    entries = {top: None}
    for name, data in files.items():
        folder = name.rpartition("/")[0]
        while folder and f"{top}/{folder}" not in entries:  # each folder once, before what it holds
            entries[f"{top}/{folder}"] = None
            folder = folder.rpartition("/")[0]
        entries[f"{top}/{name}"] = data
    # By path parts: "/" made the smallest character orders the names so (names hold no NUL).
    return sorted(entries.items(), key=lambda item: item[0].replace("/", "\0"))


def _header(name, size, folder):
    """One ustar header block (POSIX.1-1988) with everything but name, size and type fixed."""
    raw = name.encode("ascii")
    prefix = b""
    if len(raw) > 100:
        cut = raw.rfind(b"/", 0, 156)
        prefix, raw = raw[:cut], raw[cut + 1:]
        if cut < 0 or len(raw) > 100:
            raise ValueError(_("The path {name} is too long for a course archive.").format(name=name))
    header = bytearray(BLOCK)
    header[0:len(raw)] = raw
    header[100:108] = b"0000755\0" if folder else b"0000644\0"
    header[108:116] = b"0000000\0"  # uid
    header[116:124] = b"0000000\0"  # gid
    header[124:136] = b"%011o\0" % (0 if folder else size)
    header[136:148] = b"00000000000\0"  # mtime
    header[148:156] = b" " * 8  # checksum, counted as spaces
    header[156:157] = b"5" if folder else b"0"
    header[257:265] = b"ustar\x0000"
    header[329:337] = b"0000000\0"  # devmajor
    header[337:345] = b"0000000\0"  # devminor
    header[345:345 + len(prefix)] = prefix
    header[148:156] = b"%06o\0 " % sum(header)
    return bytes(header)


def write_archive(files, path, top="course", cache=None) -> Path:
    """Write ``files`` ({name under ``top``: bytes or Path}) as the ``.tar.gz`` ``path``; return it.
    With ``cache`` (a ``SourceCache``), members whose files are as before are not compressed again."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not mkstemp, which creates 0600: the archive gets the permissions of any file the user writes
    # (0666 less the umask), as its manifest does.
    temporary = str(path.parent / f".{path.name}.{secrets.token_hex(8)}.part")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            for entries in _runs(_ordered(files, top)):
                entries = [(name, data.read_bytes() if isinstance(data, Path) else data) for name, data in entries]
                if cache is None:
                    out.write(_member(entries))
                else:
                    out.write(cache.archive_member(_member_key(entries), lambda e=entries: _member(e)))
            out.write(_END)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _runs(entries):
    """The entries cut into runs at content-defined points: after each entry whose name's CRC ends in six
    zero bits (some 64 entries a run). A changed file changes only its own run, an added or removed
    one only its run's neighbourhood, so a rebuild compresses little again."""
    run = []
    for entry in entries:
        run.append(entry)
        if zlib.crc32(entry[0].encode("ascii", "replace")) & 63 == 0:
            yield run
            run = []
    if run:
        yield run


def _member_key(entries):
    """A digest of all a member's bytes depend on: the entries' names and contents."""
    digest = hashlib.blake2b(digest_size=16)
    for name, data in entries:
        digest.update(b"%d:%s:%d:" % (len(name), name.encode("utf-8", "surrogateescape"), -1 if data is None
                                      else len(data)))
        if data is not None:
            digest.update(data)
    return digest.hexdigest()


def _member(entries):
    """One gzip member (RFC 1952) holding the tar stream of ``entries``."""
    pending = []
    for name, data in entries:
        folder = data is None
        pending.append(_header(name + ("/" if folder else ""), 0 if folder else len(data), folder))
        if not folder:
            pending.append(data)
            pending.append(b"\0" * (-len(data) % BLOCK))
    return _gzip(b"".join(pending))


def _gzip(data):
    # The wrapper is written here (no name, time 0, OS "unknown") around a raw deflate stream, so the
    # bytes do not depend on the zlib build or the operating system.
    compressor = zlib.compressobj(COMPRESSLEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return b"".join((GZIP_HEADER, compressor.compress(data), compressor.flush(),
                     struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)))


_END = _gzip(b"\0" * (2 * BLOCK))  # the end of the tar archive, a member of its own
