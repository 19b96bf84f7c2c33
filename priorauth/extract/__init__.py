"""Extractors: turn packet documents into findings with exact evidence spans."""
