"""Generators for the model repositories the integration tests serve."""
