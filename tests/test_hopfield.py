"""The Hopfield network: Hebb's rule, the update rule, energy, dynamics and capacity."""


import numpy as np
import pytest
from hopfield_helpers import excitation, hebbian_weights, store_patterns
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop_utils.hopfield import (
    CRITICAL_LOAD,
    DEFAULT_MAX_SWEEPS,
    HopfieldNetwork,
    capacity_curve,
    recall_fraction,
    weights_after_each,
)
from workshop_utils.patterns import add_noise, letter, letters, overlap, random_patterns


def naive_async(weights, state, seed, max_sweeps=DEFAULT_MAX_SWEEPS):
    """The rule as taught, neuron by neuron in a random order: the reference implementation."""
    rng = np.random.default_rng(seed)
    s = np.array(state, dtype=float).reshape(-1)
    for _ in range(max_sweeps):
        changed = False
        for i in rng.permutation(len(s)):
            h = weights[i] @ s
            new = 1.0 if h > 0 else (-1.0 if h < 0 else s[i])
            changed |= new != s[i]
            s[i] = new
        if not changed:
            break
    return s.astype(np.int8)


pm1_patterns = st.integers(1, 6).flatmap(
    lambda p: st.integers(2, 30).flatmap(
        lambda n: st.lists(st.lists(st.sampled_from([-1, 1]), min_size=n, max_size=n), min_size=p, max_size=p)
    )
)


# -- Hebb's rule ----------------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(pm1_patterns)
def test_weights_are_the_sum_of_outer_products_with_zero_diagonal(patterns):
    p = np.array(patterns)
    expected = sum(np.outer(v, v) for v in p).astype(float)
    np.fill_diagonal(expected, 0)
    w = HopfieldNetwork(p.shape[1]).train(p).weights
    assert np.array_equal(w, expected)
    assert np.array_equal(w, w.T)


def test_training_accumulates_across_calls_and_counts_patterns():
    p = random_patterns(4, 30, seed=0)
    net = HopfieldNetwork(30)
    net.train(p[:1]).train(p[1:3]).train(p[3])
    assert np.array_equal(net.weights, hebbian_weights(p))
    assert net.n_patterns == 4
    assert weights_after_each(p).shape == (4, 30, 30)
    assert np.array_equal(weights_after_each(p)[-1], net.weights)


def test_pictures_train_like_flat_patterns_and_weights_are_read_only():
    net = HopfieldNetwork(25).train(letters("TL"))
    assert np.array_equal(net.weights, hebbian_weights(letters("TL").reshape(2, 25)))
    with pytest.raises(ValueError):
        net.weights[0, 1] = 5


# -- the update rule and energy -------------------------------------------------------------
def test_neuron_fires_on_positive_excitation_and_keeps_its_state_at_zero():
    net = HopfieldNetwork(3)
    net.train([1, 1, 1]).train([1, -1, -1])  # W_12 = W_13 = 0, W_23 = 2
    state = np.array([-1, 1, -1])
    assert excitation(net, state).tolist() == [0, -2, 2]
    # neuron 0 sees 0 and keeps -1; neuron 1 sees -2 -> -1, neuron 2 sees +2 -> +1 (sync step)
    assert net.trace(state, mode="sync", max_sweeps=1).states[1].tolist() == [-1, -1, 1]
    for start in ([1, 1, 1], [-1, 1, 1]):  # only the tie neuron differs: it keeps its value
        assert net.recall(start, mode="async", seed=0)[0] == start[0]
    untrained = HopfieldNetwork(9)
    picture = add_noise(np.ones(9, dtype=int), 0.4, seed=1)
    assert np.array_equal(untrained.recall(picture), picture), "all excitations are 0: nothing moves"


def test_energy_formula_and_inverted_patterns_share_it():
    p = random_patterns(3, 40, seed=2)
    net = HopfieldNetwork(40).train(p)
    s = add_noise(p[0], 0.3, seed=0)
    assert net.energy(s) == pytest.approx(-0.5 * s @ net.weights @ s)
    assert net.energy(-s) == pytest.approx(net.energy(s))
    assert net.energies(np.stack([s, p[0]])) == pytest.approx([net.energy(s), net.energy(p[0])])
    assert net.energy(p[0]) < net.energy(s)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_patterns=st.integers(1, 12))
def test_async_energy_never_rises(seed, n_patterns):
    p = random_patterns(n_patterns, 40, seed=seed)
    net = HopfieldNetwork(40).train(p)
    start = random_patterns(1, 40, seed=seed + 1)[0]
    trace = net.trace(start, mode="async", seed=seed)
    assert np.all(np.diff(trace.energies) < 0), "each flip lowers the energy strictly"
    assert trace.converged and net.is_stable(trace.final)[0]
    by_sweep = net.trace(start, mode="async", seed=seed, record="sweep")
    assert np.all(np.diff(by_sweep.energies) <= 0)
    assert np.array_equal(by_sweep.final, trace.final)


# -- recall ----------------------------------------------------------------------------------
def test_stored_patterns_are_fixed_points_at_low_load():
    p = random_patterns(5, 200, seed=3)
    net = HopfieldNetwork(200).train(p)
    assert net.is_stable(p).all()
    for mode in ("async", "sync"):
        assert np.array_equal(net.recall_many(p, mode=mode, seed=0), p)


def test_recall_from_ten_percent_noise_at_low_load():
    p = random_patterns(10, 200, seed=4)  # load 0.05
    net = HopfieldNetwork(200).train(p)
    noisy = np.stack([add_noise(v, 0.1, seed=k) for k, v in enumerate(p)])
    assert all(overlap(v, n) == pytest.approx(0.8) for v, n in zip(p, noisy, strict=True))
    for mode in ("async", "sync"):
        assert np.array_equal(net.recall_many(noisy, mode=mode, seed=1), p), mode


def test_recall_keeps_the_picture_shape_and_pulls_a_noisy_letter_back():
    net = HopfieldNetwork(25).train(letters("TLX"))
    noisy = add_noise(letter("T"), 0.12, seed=0)
    out = net.recall(noisy, seed=0)
    assert out.shape == (5, 5) and np.array_equal(out, letter("T"))
    assert net.recall_many(np.stack([noisy, letter("L")]), seed=0).shape == (2, 5, 5)


def test_async_recall_matches_the_rule_as_taught_neuron_by_neuron():
    p = random_patterns(30, 150, seed=5)  # load 0.2: long, messy settling
    net = HopfieldNetwork(150).train(p)
    starts = np.stack([add_noise(v, 0.15, seed=k) for k, v in enumerate(p[:6])])
    together = net.recall_many(starts, seed=9)
    for start, result in zip(starts, together, strict=True):
        expected = naive_async(net.weights, start, seed=9)
        assert np.array_equal(net.recall(start, seed=9), expected)
        assert np.array_equal(result, expected), "recall_many equals recall one by one"
        assert np.array_equal(net.trace(start, seed=9).final, expected)


def test_sync_mode_can_fall_into_a_two_cycle():
    # Two neurons joined by a positive weight, starting in disagreement: in sync mode each
    # copies the other, so they swap forever; async mode settles.
    net = HopfieldNetwork(2).train([1, 1])
    trace = net.trace([1, -1], mode="sync")
    assert trace.cycle and not trace.converged
    assert [s.tolist() for s in trace.states] == [[1, -1], [-1, 1], [1, -1]]
    assert trace.energies[0] == trace.energies[2]
    assert net.recall([1, -1], mode="sync", max_sweeps=7).tolist() in ([1, -1], [-1, 1])
    settled = net.trace([1, -1], mode="async", seed=0)
    assert settled.converged and abs(settled.final.sum()) == 2


def test_sync_two_cycle_on_letters():
    net = HopfieldNetwork(25).train(letters("HTX"))
    trace = net.trace(letter("box"), mode="sync")  # the notebook's example
    assert trace.cycle and trace.states.shape[1:] == (5, 5)
    assert not net.is_stable(trace.final)[0]
    assert net.trace(letter("box"), mode="async", seed=0).converged


def test_default_sweep_limit_allows_tens_of_sweeps_near_capacity():
    assert DEFAULT_MAX_SWEEPS >= 50
    p = random_patterns(70, 500, seed=0)  # load 0.14
    net = HopfieldNetwork(500).train(p)
    sweeps = [net.trace(add_noise(v, 0.1, seed=k), seed=k).sweeps for k, v in enumerate(p[:20])]
    assert max(sweeps) >= 8, f"near capacity some recalls take many sweeps, got {sweeps}"
    assert all(net.trace(add_noise(v, 0.1, seed=k), seed=k).converged for k, v in enumerate(p[:20]))


# -- capacity --------------------------------------------------------------------------------
def test_capacity_curve_collapses_near_the_critical_load():
    loads = [0.05, 0.10, 0.20, 0.25]
    fractions = capacity_curve(200, loads, n_trials=4, seed=0)
    assert fractions[0] >= 0.97
    assert fractions[1] >= 0.8
    assert fractions[2] <= 0.3
    assert fractions[3] <= 0.1
    assert np.all(np.diff(fractions) <= 0.02)
    assert CRITICAL_LOAD == pytest.approx(0.138)


def test_capacity_points_are_seeded_and_independent_of_the_other_loads():
    a = capacity_curve(100, [0.1, 0.15], n_trials=2, seed=7)
    b = capacity_curve(100, [0.15], n_trials=2, seed=7)
    assert a[1] == b[0]
    assert recall_fraction(100, 15, n_trials=2, seed=7) == b[0]


# -- errors and imports ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda net: net.train([1, 0, 1, 1]), "got 0 at position 1"),
        (lambda net: net.train([[1, -1, 1, -1], [1, 2, 1, 1]]), "got 2 at position 5"),
        (lambda net: net.train([1, -1, 1]), "must have 4 values"),
        (lambda net: net.train([]), "empty"),
        (lambda net: net.train(np.zeros((0, 4))), "empty"),
        (lambda net: net.recall([1, -1]), "has 2 values but the network has 4 neurons"),
        (lambda net: net.recall([1, -1, 1, 1], mode="parallel"), "mode must be"),
        (lambda net: net.recall([1, -1, 1, 1], max_sweeps=0), "max_sweeps"),
        (lambda net: net.energy([0.5, 1, 1, 1]), "got 0.5 at position 0"),
        (lambda net: net.trace([1, 1, 1, 1], mode="sync", record="flip"), "record must be"),
    ],
)
def test_bad_input_raises_clear_value_errors(call, message):
    net = HopfieldNetwork(4)
    with pytest.raises(ValueError, match=message):
        call(net)


@pytest.mark.parametrize("n", [0, -3, 2.5, True, "25"])
def test_network_size_must_be_a_positive_integer(n):
    with pytest.raises(ValueError, match="positive integer"):
        HopfieldNetwork(n)


def test_capacity_arguments_are_checked():
    with pytest.raises(ValueError, match="loads must be positive"):
        capacity_curve(100, [])
    with pytest.raises(ValueError, match="threshold"):
        recall_fraction(100, 5, threshold=1.5)
    assert store_patterns(letters("TL")).n_neurons == 25


def test_recall_outcomes_depend_on_the_update_order():
    from workshop_utils.hopfield import recall_outcomes
    from workshop_utils.patterns import letter

    net = store_patterns(letters("HTX"))
    outcomes = recall_outcomes(net, letter("E"), letters("HTX"), "HTX", n_orders=40)
    assert sum(outcomes.values()) == 40 and len(outcomes) > 1  # different orders, different ends
    assert list(outcomes.values()) == sorted(outcomes.values(), reverse=True)
    assert set(outcomes) <= {"H", "T", "X", "-H", "-T", "-X", "other"}
    assert recall_outcomes(net, letter("T"), letters("HTX"), "HTX", n_orders=5) == {"T": 5}
    assert recall_outcomes(net, -letter("T"), letters("HTX"), "HTX", n_orders=3) == {"-T": 3}
    with pytest.raises(ValueError, match="one name per pattern"):
        recall_outcomes(net, letter("T"), letters("HTX"), "HT")
    with pytest.raises(ValueError, match="n_orders must be a positive integer"):
        recall_outcomes(net, letter("T"), letters("HTX"), "HTX", n_orders=0)
