"""The codesign command line."""
