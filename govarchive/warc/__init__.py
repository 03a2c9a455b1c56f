"""The WARC store: writing, reading, the archive's files, import and reindex, recovery, verify, merge, the lock."""
