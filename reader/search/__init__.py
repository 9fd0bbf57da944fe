"""Full-text search over articles and highlights, and the snippets that show where it matched."""
