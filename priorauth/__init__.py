"""Guideline-based prior-authorization review of clinical notes, with evidence."""

__version__ = "0.1.0"
