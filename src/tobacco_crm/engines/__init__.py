"""Compute engines: pure Python over NumPy arrays and Polars frames.

Nothing in this package imports Django (an import-linter contract enforces it); the Django
apps gather inputs, call an engine and store its results.
"""
