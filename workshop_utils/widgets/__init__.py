"""Instructor widgets, one module per notebook topic: thin ipywidgets shells over plain functions.

Import these modules only in notebooks; each builds its UI when called, never on import.
"""
