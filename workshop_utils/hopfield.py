"""A Hopfield network as taught: Hebbian learning, recall by settling, energy, capacity.

Conventions (as on the slides): neurons are +1 (fires) or -1 (silent); a 5x5 picture is 25
neurons in reading order. Training starts from ``W = 0`` and each pattern ``V`` adds
``V_i * V_j`` to ``W_ij`` (no self-connections: ``W_ii = 0``). Neuron ``i`` fires if its
excitation ``h_i = sum_j W_ij V_j`` is positive, is silent if negative and **keeps its state
if h_i == 0** (so an untrained network leaves every picture alone). The energy
``E = -1/2 sum_ij W_ij V_i V_j`` never rises under asynchronous updates (one neuron at a time,
in random order); synchronous updates (all at once) can oscillate.
"""

from dataclasses import dataclass

import numpy as np

from .checks import integer
from .patterns import add_noise, check_pm1, random_patterns

CRITICAL_LOAD = 0.138  # P/N beyond which random patterns are lost, as N grows (Amit et al. 1985)
DEFAULT_MAX_SWEEPS = 200  # near capacity, asynchronous recall needs tens of sweeps to settle
#: Notebook 01's capacity experiment (the benchmark times the same one): loads P/N, and repeats
#: per network size N (fewer for bigger networks, which store more patterns each).
CAPACITY_LOADS = tuple(round(0.04 + 0.02 * k, 2) for k in range(12))
CAPACITY_TRIALS = {100: 8, 200: 4, 500: 2}


def _threshold(field: np.ndarray, current: np.ndarray) -> np.ndarray:
    """+1 where the excitation is positive, -1 where negative, unchanged where exactly 0."""
    return np.where(field > 0, 1, np.where(field < 0, -1, current)).astype(np.int8)


@dataclass(frozen=True)
class RecallTrace:
    """How one state settled: ``states[0]`` is the input, ``states[-1]`` the result; ``neurons[k]``
    flipped to give ``states[k + 1]`` (-1: a record is a whole sweep); ``cycle``: a sync 2-cycle."""

    states: np.ndarray
    energies: np.ndarray
    neurons: np.ndarray
    mode: str
    sweeps: int
    converged: bool  # ended at a fixed point
    cycle: bool

    @property
    def final(self) -> np.ndarray:
        return self.states[-1]

    @property
    def n_steps(self) -> int:
        """How many records (flips or sweeps) follow the input."""
        return len(self.states) - 1


class HopfieldNetwork:
    """A fully connected network of ``n_neurons`` +1/-1 neurons with symmetric Hebbian weights.

    ``weights`` is read-only: it changes only through :meth:`train`.
    """

    def __init__(self, n_neurons: int):
        self.n_neurons = integer(n_neurons, "n_neurons", low=1, note="25 for 5x5 pictures")
        self.weights = np.zeros((self.n_neurons, self.n_neurons))
        self.weights.flags.writeable = False
        self.n_patterns = 0

    def __repr__(self) -> str:
        return f"HopfieldNetwork(n_neurons={self.n_neurons}, patterns stored={self.n_patterns})"

    def _rows(self, values, what: str = "state", one: bool = False) -> tuple[np.ndarray, tuple]:
        """Checked states as an (n_states, n_neurons) int8 matrix, and one state's shape as given."""
        array, n = check_pm1(values, what), self.n_neurons
        if array.size == n:
            return array.reshape(1, -1), array.shape
        if one:
            raise ValueError(f"the {what} has {array.size} values but the network has {n} neurons: give one "
                             "value per neuron (for several states use recall_many)")
        if array.ndim >= 2 and array[0].size == n:
            return array.reshape(len(array), -1), array.shape[1:]
        raise ValueError(f"each {what} must have {n} values (one per neuron), got an array of shape {array.shape}: "
                         "pass one state, or several stacked along the first axis")

    def train(self, patterns) -> "HopfieldNetwork":
        """Hebb's rule for one pattern or several stacked; training again adds to what was learnt."""
        matrix = self._rows(patterns, "pattern")[0].astype(np.float64)
        weights = self.weights + matrix.T @ matrix
        np.fill_diagonal(weights, 0.0)
        weights.flags.writeable = False
        self.weights, self.n_patterns = weights, self.n_patterns + len(matrix)
        return self

    def energy(self, state) -> float:
        """``E = -1/2 sum_ij W_ij V_i V_j``: low for stored patterns, never raised by async updates."""
        return float(self.energies(self._rows(state, one=True)[0])[0])

    def energies(self, states) -> np.ndarray:
        """The energy of each of several states (stacked along the first axis)."""
        m = self._rows(states)[0].astype(np.float64)
        return -0.5 * np.einsum("ij,ij->i", m @ self.weights, m)

    def is_stable(self, states) -> np.ndarray:
        """True for each state that no neuron would change: a fixed point of the dynamics."""
        matrix = self._rows(states)[0]
        return np.all(_threshold(matrix @ self.weights, matrix) == matrix, axis=1)

    def recall(self, state, mode: str = "async", max_sweeps: int = DEFAULT_MAX_SWEEPS, seed=None) -> np.ndarray:
        """Let ``state`` settle (5x5 in, 5x5 out). A sweep updates every neuron once: ``"async"`` one at
        a time in a new random order (``seed``) each sweep, ``"sync"`` all at once."""
        row, shape = self._rows(state, one=True)
        return self.recall_many(row, mode, max_sweeps, seed)[0].reshape(shape)

    def recall_many(self, states, mode: str = "async", max_sweeps: int = DEFAULT_MAX_SWEEPS, seed=None) -> np.ndarray:
        """Settle several states (stacked along the first axis) with one shared update order per
        sweep: the same as settling them one by one with that order."""
        max_sweeps = self._check(mode, max_sweeps)
        array = check_pm1(states, "states")
        matrix = self._rows(array)[0]
        if mode == "sync":
            return self._sync(matrix, max_sweeps)[0][-1].reshape(array.shape)
        rng, orders, final = np.random.default_rng(seed), [], matrix.copy()
        for row in final:
            self._async(row, rng, orders, max_sweeps)
        return final.reshape(array.shape)

    def trace(self, state, mode: str = "async", max_sweeps: int = DEFAULT_MAX_SWEEPS, seed=None,
              record: str | None = None) -> RecallTrace:
        """Settle one state keeping every step: after each flip (``record="flip"``, the async
        default: the energy visibly falls flip by flip) or each sweep (``"sweep"``)."""
        max_sweeps = self._check(mode, max_sweeps)
        record = record or ("flip" if mode == "async" else "sweep")
        if record not in ("flip", "sweep") or (mode == "sync" and record == "flip"):
            raise ValueError(f"record must be 'flip' (async only) or 'sweep', got {record!r} with mode {mode!r}")
        row, shape = self._rows(state, one=True)
        s, cycle, steps = row[0].copy(), False, []
        if mode == "async":
            sweeps, converged = self._async(s, np.random.default_rng(seed), [], max_sweeps,
                                            lambda i, sweep: steps.append((i, sweep, s.copy())))
            if record == "sweep":  # the state after each sweep's last flip
                steps = [(-1, sweep, v) for k, (_, sweep, v) in enumerate(steps)
                         if k + 1 == len(steps) or steps[k + 1][1] != sweep]
        else:
            states, sweeps, converged, cycle = self._sync(s[None], max_sweeps)
            steps = [(-1, sweep, v[0]) for sweep, v in enumerate(states[1:])]
        stacked = np.stack([row[0], *(v for _, _, v in steps)])
        return RecallTrace(stacked.reshape((len(stacked), *shape)), self.energies(stacked),
                           np.array([i for i, _, _ in steps], dtype=int), mode, sweeps, converged, cycle)

    @staticmethod
    def _check(mode: str, max_sweeps) -> int:
        if mode not in ("async", "sync"):
            raise ValueError(f"mode must be 'async' (one neuron at a time) or 'sync' (all at once), got {mode!r}")
        return integer(max_sweeps, "max_sweeps", low=1)

    def _async(self, s: np.ndarray, rng, orders: list, max_sweeps: int, on_flip=None) -> tuple[int, bool]:
        """Settle ``s`` in place one neuron at a time; return (sweeps, reached a fixed point).

        Sweep k visits the neurons in ``orders[k]`` (drawn from ``rng`` when first needed, so states
        settled in turn share them). Updating each in turn equals jumping straight to the next neuron
        whose state disagrees with its excitation, which is what this does.
        """
        h = self.weights @ s.astype(np.float64)  # integer-valued, so the updates stay exact
        for sweep in range(max_sweeps):
            if sweep == len(orders):
                orders.append(rng.permutation(self.n_neurons))
            visit, pos, flipped = orders[sweep], 0, False
            while (unstable := np.flatnonzero(h[visit[pos:]] * s[visit[pos:]] < 0)).size:  # h == 0: keep
                i = visit[pos + int(unstable[0])]
                s[i] = -s[i]
                h += (2.0 * s[i]) * self.weights[i]  # W is symmetric: column i equals row i
                flipped, pos = True, pos + int(unstable[0]) + 1
                if on_flip is not None:
                    on_flip(int(i), sweep)
            if not flipped:
                return sweep + 1, True
        return max_sweeps, False

    def _sync(self, s: np.ndarray, max_sweeps: int) -> tuple[list, int, bool, bool]:
        """All neurons at once, for every row, until all are at fixed points or in 2-cycles;
        return the states after each sweep (the input first), sweeps, converged, cycle."""
        states = [s]
        for sweep in range(1, max_sweeps + 1):
            new = _threshold(states[-1].astype(np.float64) @ self.weights, states[-1])
            if np.array_equal(new, states[-1]):
                return states, sweep, True, False
            states.append(new)
            if len(states) > 2 and np.array_equal(new, states[-3]):
                return states, sweep, False, True
        return states, max_sweeps, False, False


def weights_after_each(patterns) -> np.ndarray:
    """The weight matrix after the first, second, ... pattern: shape (P, N, N), for plots."""
    array = check_pm1(patterns, "patterns")
    net = HopfieldNetwork(int(array[0].size))
    return np.stack([net.train(pattern).weights for pattern in array])


def recall_outcomes(network: HopfieldNetwork, start, patterns, names, n_orders: int = 100) -> dict[str, int]:
    """Where recall from ``start`` ends under ``n_orders`` update orders (seeds 0, 1, ...), most
    frequent first: named after the stored pattern it equals ("H") or whose inverse it equals
    ("-X"), else "other" (a spurious state). A different order can end in a different valley."""
    flat, names = check_pm1(patterns, "patterns"), list(names)
    if len(names) != len(flat):
        raise ValueError(f"{len(names)} names for {len(flat)} patterns: give one name per pattern")
    flat, counts = flat.reshape(len(flat), -1), {}
    for seed in range(integer(n_orders, "n_orders", low=1)):
        end = np.asarray(network.recall(start, seed=seed)).reshape(-1)
        label = "other"
        for name, pattern in zip(names, flat, strict=True):
            label = name if np.array_equal(end, pattern) else f"-{name}" if np.array_equal(end, -pattern) else label
        counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def recall_fraction(n_neurons: int, n_patterns: int, noise: float = 0.1, threshold: float = 0.97,
                    n_trials: int = 1, mode: str = "async", max_sweeps: int = DEFAULT_MAX_SWEEPS,
                    seed: int = 0) -> float:
    """Share of ``n_patterns`` random patterns recalled (overlap >= ``threshold``) from ``noise``.

    Each trial stores fresh patterns. The random numbers depend only on
    ``(seed, n_neurons, n_patterns)``, so no point of a capacity curve depends on the others.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold is an overlap between 0 and 1, got {threshold}")
    n_trials = integer(n_trials, "n_trials", low=1)
    rng = np.random.default_rng([int(seed), int(n_neurons), int(n_patterns)])
    recalled = 0
    for _ in range(n_trials):
        patterns = random_patterns(n_patterns, n_neurons, rng)
        noisy = np.stack([add_noise(p, noise, rng) for p in patterns])
        final = HopfieldNetwork(n_neurons).train(patterns).recall_many(noisy, mode, max_sweeps, rng)
        recalled += int(np.sum(np.einsum("ij,ij->i", final.astype(np.float64), patterns) / n_neurons >= threshold))
    return recalled / (int(n_patterns) * n_trials)


def capacity_curve(n_neurons: int, loads, noise: float = 0.1, threshold: float = 0.97, n_trials: int = 1,
                   mode: str = "async", max_sweeps: int = DEFAULT_MAX_SWEEPS, seed: int = 0) -> np.ndarray:
    """The share recalled at each load P/N (``P = round(load * N)``, at least 1); compare where it
    collapses with :data:`CRITICAL_LOAD` (small networks collapse a little later)."""
    loads = np.asarray(loads, dtype=float).reshape(-1)
    if loads.size == 0 or np.any(loads <= 0):
        raise ValueError(f"loads must be positive numbers P/N such as 0.05, 0.1, got {loads.tolist()}")
    n = integer(n_neurons, "n_neurons", low=1)
    return np.array([recall_fraction(n, max(1, int(round(load * n))), noise, threshold, n_trials,
                                     mode, max_sweeps, seed) for load in loads])
