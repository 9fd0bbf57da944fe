"""What the reader adds to an article: highlights and their anchoring, tags, colours, undo."""
