"""Instructor widgets, one module per notebook: thin ipywidgets shells over plain functions."""
