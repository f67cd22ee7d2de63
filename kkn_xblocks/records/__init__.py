"""The programme record: a small Django app shared by the kkn blocks. ``api`` is its only door."""
