"""Figures, one module per notebook topic; each function returns a matplotlib Figure."""
