"""The one source of "now" for the blocks and the record, in UTC. Tests replace ``now``."""
from datetime import datetime, timezone


def now():
    return datetime.now(timezone.utc)
