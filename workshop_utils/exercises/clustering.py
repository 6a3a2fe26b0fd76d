"""Exercises of notebook 02 (clustering): ``from workshop_utils.exercises.clustering import q1, q2, q3``."""

from __future__ import annotations

from typing import Any

from .. import clustering
from ..customers import load_customers
from . import CheckResult, Exercise, WrongKind, as_choice, as_whole_number, check

#: Exercise 3 asks about this many customers.
N_CUSTOMERS = 10_000

#: Every accepted spelling of a linkage method (after lower case, no punctuation, without
#: the words "linkage", "method", "clustering").
LINKAGE_NAMES = {
    "single": "single", "min": "single", "minimum": "single", "nearest": "single",
    "nearest neighbour": "single", "nearest neighbor": "single",
    "complete": "complete", "max": "complete", "maximum": "complete", "farthest": "complete",
    "furthest": "complete",
    "average": "average", "mean": "average", "upgma": "average",
    "ward": "ward", "wards": "ward", "ward s": "ward",
}
_FILLER = ("linkage", "method", "clustering", "the")


def expected_n_segments() -> int:
    """The right answer to exercise 1, from the same Ward dendrogram as the notebook's."""
    return clustering.suggest_n_clusters(clustering.linkage_matrix(load_customers()))


def check_n_segments(answer: Any) -> CheckResult:
    """How many segments does the Ward dendrogram of the customers suggest?"""
    expected = expected_n_segments()

    def test(value) -> bool:
        count = as_whole_number(value, "a whole number of segments (count the branches a cut crosses)")
        if count == expected:
            return True
        if count < 1:
            raise WrongKind("a segmentation has at least one segment")
        if abs(count - expected) == 1:
            raise WrongKind("close: put the cut in the middle of the longest vertical lines, where "
                            "the next merge jumps up, and count the branches it crosses")
        if count >= 20:
            raise WrongKind("that is nearly every customer on its own: cut higher, across the "
                            "longest vertical lines")
        raise WrongKind("look for the longest vertical lines in the dendrogram: a horizontal cut "
                        "across them crosses how many branches?")

    return check(answer, test=test, explanation=(
        f"Below the cut for {expected} segments the merges are short; above it the next merges "
        "jump up: those groups were far apart."
    ))


def check_chaining_linkage(answer: Any) -> CheckResult:
    """Which linkage method chains customers into one long cluster?"""
    hints = {
        "ward": "Ward is the method that keeps clusters compact; look for the panel where one "
        "segment swallows most customers",
        "complete": "complete linkage measures the farthest pair, so it avoids long chains; look "
        "at the 'largest segment' column",
        "average": "average linkage sits between the extremes; which method joins clusters as soon "
        "as any two members are close?",
    }

    def test(value) -> bool:
        method = as_choice(value, LINKAGE_NAMES, 'the name of a linkage method as text, e.g. "average"',
                           drop=_FILLER)
        if method == "single":
            return True
        raise WrongKind(hints[method])

    return check(answer, test=test, explanation=(
        "Single linkage joins two clusters as soon as any two of their members are close, so a "
        "few in-between customers act as stepping stones between groups."
    ))


def check_distance_count(answer: Any) -> CheckResult:
    """How many pairwise distances does linkage need for 10,000 customers?"""
    n = N_CUSTOMERS
    expected = clustering.distance_count(n)
    wrong = {
        n * n: "that counts every ordered pair and each customer with itself: each of the n "
        "customers pairs with the n - 1 others, and each pair counts once",
        n * (n - 1): "each pair is counted twice there (A-B and B-A): divide by 2",
        n * n // 2: "close: a customer is not paired with itself, so it is n (n - 1) / 2",
        n * (n + 1) // 2: "close: that includes each customer paired with itself; use n - 1",
        expected * 8: "that is the memory in bytes (8 per distance); the question asks how many "
        "distances",
    }

    def test(value) -> bool:
        count = as_whole_number(value, "a whole number of distances")
        if count == expected:
            return True
        raise WrongKind(wrong.get(count, "each of the n customers pairs with the n - 1 others, "
                                         "and each pair counts once"))

    return check(answer, test=test, explanation=(
        f"n (n - 1) / 2 = {expected:,} distances, {expected * 8 / 1e6:,.0f} MB as 8-byte floats: "
        "ten times the customers, a hundred times the memory."
    ))


def _namespace() -> dict[str, Any]:
    return {"clustering": clustering, "customers": load_customers()}


q1 = Exercise(
    "q1", "how many segments?", check_n_segments,
    expects="a whole number",
    hint_text="Find the longest vertical lines of the dendrogram (the biggest gap between one merge "
    "height and the next). A horizontal line drawn across that gap crosses how many branches?",
    solution_code="""\
# The longest vertical lines sit between heights of about 2.5 and 9: a cut there crosses 5 branches.
answer = 5
""",
    namespace=_namespace,
    explanation="`clustering.suggest_n_clusters(linkage)` finds the same biggest jump in merge heights.",
)

q2 = Exercise(
    "q2", "chaining", check_chaining_linkage,
    expects='a linkage name as text, e.g. "average"',
    hint_text="Look at the *largest segment* column of the table: which method puts most customers "
    "into one segment? Its rule uses the *closest* pair of customers.",
    solution_code="""\
# one segment holds most customers and the others are a few stragglers
answer = "single"
""",
    namespace=_namespace,
)

q3 = Exercise(
    "q3", "counting pairs", check_distance_count,
    expects="a whole number",
    hint_text="Each of the n customers pairs with the n - 1 others, and the pair A-B is the same "
    "as B-A.",
    solution_code="""\
n = 10_000
answer = n * (n - 1) // 2
""",
    namespace=_namespace,
)
