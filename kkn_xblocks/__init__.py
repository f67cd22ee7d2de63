"""Open edX XBlocks for the KKN distance programme: modules, regional meetings, final exam."""
