"""The document model: an article as blocks of styled spans over one canonical text."""
