"""Exercises of notebook 02 (clustering): ``from workshop_utils.exercises.clustering import q1, q2, q3``."""

from typing import Any

from .. import clustering
from ..customers import load_customers
from . import Exercise, WrongKind, as_choice, as_whole_number, checker

#: Exercise 3 asks about this many customers.
N_CUSTOMERS = 10_000

#: Every accepted spelling of a linkage method (lower case, without "linkage", "method", ...).
LINKAGE_NAMES = {
    "single": "single", "min": "single", "minimum": "single", "nearest": "single",
    "nearest neighbour": "single", "nearest neighbor": "single",
    "complete": "complete", "max": "complete", "maximum": "complete", "farthest": "complete",
    "furthest": "complete", "average": "average", "mean": "average", "upgma": "average",
    "ward": "ward", "wards": "ward", "ward s": "ward",
}


@checker("Below the cut the merges are cheap; above it the next merges jump up: those groups were far apart.")
def check_n_segments(value: Any) -> None:
    """Exercise 1: how many segments does the Ward dendrogram of the customers suggest?"""
    count = as_whole_number(value, "a whole number of segments (count the branches a cut crosses)")
    linkage = clustering.linkage_matrix(load_customers())
    if count == clustering.suggest_n_clusters(linkage):
        return
    if not 2 <= count < 20:
        raise WrongKind("one segment holds everyone: that is no cut at all" if count == 1 else f"{count} "
                        "segments is nearly one per customer: cut higher" if count > 1 else "a "
                        "segmentation has at least one segment")
    low, high = linkage[-count, 2], linkage[1 - count, 2]  # the merges just below and above the cut
    raise WrongKind(f"a cut into {count} segments passes between the merges at {low:.1f} and {high:.1f}, "
                    f"where the vertical lines are {high - low:.1f} long: find where they are longest")


@checker("Single linkage joins two clusters as soon as any two of their members are close, so a few "
         "in-between customers act as stepping stones between groups.")
def check_chaining_linkage(value: Any) -> None:
    """Exercise 2: which linkage method chains customers into one long cluster?"""
    method = as_choice(value, LINKAGE_NAMES, "the name of one of section 5's linkage methods, as text",
                       drop=("linkage", "method", "clustering", "the"))
    if method != "single":
        customers = load_customers()
        k = clustering.suggest_n_clusters(clustering.linkage_matrix(customers))
        largest = clustering.compare_linkages(customers, k).loc[method, "largest segment"]
        raise WrongKind(f"with {method} linkage the largest of the {k} segments holds {largest} of the "
                        f"{len(customers)} customers: which method's largest segment swallows most?")


@checker("n (n - 1) / 2 distances, 400 MB as 8-byte floats: ten times the customers, a hundred times "
         "the memory.")
def check_distance_count(value: Any) -> None:
    """Exercise 3: how many pairwise distances does linkage need for 10,000 customers?"""
    n, count = N_CUSTOMERS, as_whole_number(value, "a whole number of distances")
    expected = clustering.distance_count(n)
    wrong = {
        n * n: "your count pairs each customer with itself too, and counts A-B and B-A as two pairs",
        n * (n - 1): "your count counts each pair twice, as A-B and as B-A",
        n * n // 2: "your count is n²/2, which still includes customers paired with themselves",
        n * (n + 1) // 2: "your count includes each customer paired with itself",
        expected * 8: "that looks like the memory in bytes (8 per distance); the question asks how many",
    }
    if count != expected:
        raise WrongKind(wrong.get(count, f"{count:,} is not the number of pairs of two different customers "
                                         f"among {n:,}, each pair counted once"))


q1 = Exercise(
    "q1", "how many segments?", check_n_segments, expects="a whole number",
    hints=("A horizontal cut through the dendrogram makes one segment per vertical line it crosses. "
           "Cut where the vertical lines are longest: there the next merge would join groups that "
           "are far apart.",
           "Look for the longest stretch of height in which no merge (horizontal bracket) happens. "
           "Draw the cut across the middle of it and count the vertical lines it crosses."),
    solution_code="""\
# The longest vertical lines run between merge costs of about 2.6 and 8.8:
# a cut across them crosses 5 branches.
answer = 5
""",
    explanation="`clustering.suggest_n_clusters(linkage)` finds the same biggest jump in merge cost.",
)

q2 = Exercise(
    "q2", "chaining", check_chaining_linkage, expects='a linkage name as text, e.g. "average"',
    hints=("Chaining shows as one huge segment and a few tiny ones: look at the *largest segment* "
           "column of the table and at the four panels.",
           "Which rule lets two clusters merge as soon as *one* pair of their members is close, so "
           "that a row of in-between customers links groups like stepping stones? The table of "
           "linkages at the start of section 5 says what each method measures."),
    solution_code='answer = "single"  # one segment holds most customers, the others are a few stragglers\n',
)

q3 = Exercise(
    "q3", "counting pairs", check_distance_count, expects="a whole number",
    hints=("Count the pairs of two *different* customers, each pair once: A-B is the same pair as B-A.",
           "Each of the n customers can be paired with the n - 1 others. Counting that way, how "
           "often is each pair counted?"),
    solution_code="n = 10_000\nanswer = n * (n - 1) // 2\n",
)
