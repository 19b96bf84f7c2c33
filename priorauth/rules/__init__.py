"""The deterministic rule layer: policy text, criteria, and the decision."""
