"""Bringing articles in: reading files, finding the article in a saved page, parsing its text."""
