"""Writing a file whole or not at all: what the builder, its cache and the push state share."""
import os
import secrets
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> Path:
    """``data`` as the file ``path``: written beside it under a name of its own, then put in its place
    (``os.replace``), so a reader finds the old file or the new one, never a part of one; nothing is
    left behind when writing fails."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
