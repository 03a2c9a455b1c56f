"""The SQLite index (``index.db``): the ``Index`` API, its schema and migrations, Chinese search."""
