"""A copy of this checkout as git would check it out: tracked and new (not ignored) files, links kept."""
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def copy_checkout(target: Path):
    """Copy the files git would check out into ``target``; a stale build/ or .venv never comes along."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if not source.is_symlink() and not source.is_file():
            continue  # deleted in the working tree
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():  # course_export/docs -> ../docs
            (target / name).symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target / name)
    return target
