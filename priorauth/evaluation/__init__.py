"""Accuracy measurement against labeled cases (cases.md section 3)."""
