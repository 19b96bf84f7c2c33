"""Prompt templates for the optional LLM extraction step (issue: the LLM step)."""
