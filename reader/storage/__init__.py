"""Storage: the library file, its schema and migrations, and copies of it (engine-specific)."""
