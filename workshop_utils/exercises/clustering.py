"""Exercise checks for notebook 02 (hierarchical clustering), built on :func:`exercises.check`."""

from __future__ import annotations

from typing import Any

from .. import clustering
from ..customers import load_customers
from . import CheckResult, check


def check_n_segments(answer: Any) -> CheckResult:
    """How many segments does the Ward dendrogram of the customers suggest?"""
    expected = clustering.suggest_n_clusters(clustering.linkage_matrix(load_customers()))
    return check(
        answer,
        expected=expected,
        hint="look for the longest vertical lines in the dendrogram: a horizontal cut across "
        "them crosses how many branches?",
        explanation=f"Below the cut for {expected} segments the merges are short; above it the "
        "next merges jump up: those groups were far apart.",
    )


def check_chaining_linkage(answer: Any) -> CheckResult:
    """Which linkage method chains customers into one long cluster?"""
    return check(
        answer,
        expected="single",
        hint="look at the 'largest segment' column: which method puts most customers in one segment?",
        explanation="Single linkage joins two clusters as soon as any two of their members are "
        "close, so a few in-between customers act as stepping stones between groups.",
    )


def check_distance_count(answer: Any) -> CheckResult:
    """How many pairwise distances does linkage need for 10,000 customers?"""
    expected = clustering.distance_count(10_000)
    return check(
        answer,
        expected=expected,
        hint="each of the n customers pairs with the n - 1 others, and each pair counts once",
        explanation=f"n (n - 1) / 2 = {expected:,} distances, {expected * 8 / 1e6:,.0f} MB as "
        "8-byte floats: ten times the customers, a hundred times the memory.",
    )
