"""Hopfield helpers only the tests use (moved out of the package to keep it thin)."""

from __future__ import annotations

import numpy as np

from workshop_utils.hopfield import HopfieldNetwork
from workshop_utils.patterns import SIDE, check_pm1, random_patterns


def store_patterns(patterns) -> HopfieldNetwork:
    """A new network sized for ``patterns`` (stacked along the first axis) and trained on them."""
    array = check_pm1(patterns, "patterns")
    if array.ndim < 2:
        array = array[None]
    return HopfieldNetwork(int(array[0].size)).train(array)


def random_pictures(n_pictures: int, seed=None) -> np.ndarray:
    """Random 5x5 pictures, shape (n_pictures, 5, 5): uncorrelated, unlike letters."""
    return random_patterns(n_pictures, SIDE * SIDE, seed).reshape(-1, SIDE, SIDE)


def excitation(network: HopfieldNetwork, state) -> np.ndarray:
    """The excitation ``h_i = sum_j W_ij V_j`` of every neuron, in the state's shape."""
    state = check_pm1(state, "state")
    return (network.weights @ state.reshape(-1)).reshape(state.shape)


def hebbian_weights(patterns) -> np.ndarray:
    """The weights Hebb's rule gives, written out: sum of the outer products, zero diagonal."""
    flat = np.asarray(patterns, dtype=float).reshape(len(patterns), -1)
    weights = sum(np.outer(p, p) for p in flat)
    np.fill_diagonal(weights, 0)
    return weights
