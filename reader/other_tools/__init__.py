"""Moving in from other tools: their exports read, matched to the library, anchored.

`formats/` reads each tool's export into the records of `model.py` (and nothing else);
`importer.py` matches them to the library's articles, anchors their highlights in the
text and stores them, or only reports what it would do.
"""
