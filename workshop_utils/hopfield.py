"""A Hopfield network as taught: Hebbian learning, recall by settling, energy, capacity.

Conventions (the same as the slides):

* neurons are +1 (fires) or -1 (silent); a 5x5 picture is 25 neurons in reading order;
* training starts from ``W = 0`` and each pattern ``V`` adds ``V_i * V_j`` to ``W_ij``; there
  are no self-connections (``W_ii = 0``), and training again adds to what is there;
* the excitation of neuron ``i`` is ``h_i = sum_j W_ij V_j``; the neuron fires (+1) if
  ``h_i > 0``, is silent (-1) if ``h_i < 0`` and **keeps its current state if h_i == 0**
  (so an untrained network leaves every picture alone);
* the energy is ``E = -1/2 sum_ij W_ij V_i V_j``. Asynchronous updates (one neuron at a time,
  in random order) never raise it; synchronous updates (all at once) can oscillate.

Everything is vectorised with NumPy: many states settle together in :meth:`recall_many`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import integer
from .patterns import add_noise, check_pm1, random_patterns
from .seeding import as_rng

#: Critical load P/N for random patterns as N grows (Amit, Gutfreund & Sompolinsky 1985).
CRITICAL_LOAD = 0.138

#: Default sweep limit: near capacity asynchronous recall needs tens of sweeps to settle.
DEFAULT_MAX_SWEEPS = 200
#: Notebook 01's capacity experiment (the benchmark times the same one): loads P/N, and
#: repeats per network size N (fewer for bigger networks, which store more patterns each).
CAPACITY_LOADS = tuple(round(0.04 + 0.02 * k, 2) for k in range(12))
CAPACITY_TRIALS = {100: 8, 200: 4, 500: 2}

MODES = ("async", "sync")


def _threshold(field: np.ndarray, current: np.ndarray) -> np.ndarray:
    """+1 where the excitation is positive, -1 where negative, unchanged where exactly 0."""
    return np.where(field > 0, 1, np.where(field < 0, -1, current)).astype(np.int8)


@dataclass(frozen=True)
class RecallTrace:
    """How one state settled: every recorded state and its energy, for plots and widgets.

    ``states[0]`` is the input and ``states[-1]`` the result, each in the input's shape.
    ``neurons[k]`` is the neuron that flipped to give ``states[k + 1]`` when recording flips
    (async mode), and -1 when a record is a whole sweep.
    """

    states: np.ndarray
    energies: np.ndarray
    neurons: np.ndarray
    mode: str
    sweeps: int
    converged: bool  # True: reached a state that no update changes (a fixed point)
    cycle: bool  # True: sync mode came back to the state of two steps before (a 2-cycle)

    @property
    def final(self) -> np.ndarray:
        """The state the network ended in."""
        return self.states[-1]

    @property
    def n_steps(self) -> int:
        """How many records follow the input (flips or sweeps)."""
        return len(self.states) - 1


class HopfieldNetwork:
    """A fully connected network of ``n_neurons`` +1/-1 neurons with symmetric Hebbian weights.

    Example
    -------
    >>> net = HopfieldNetwork(25)
    >>> net.train(letters("TL"))          # doctest: +SKIP
    >>> net.recall(noisy_t)               # a 5x5 picture in, a 5x5 picture out  # doctest: +SKIP
    """

    def __init__(self, n_neurons: int):
        self.n_neurons = integer(n_neurons, "n_neurons", low=1, note="25 for 5x5 pictures")
        self._weights = np.zeros((self.n_neurons, self.n_neurons), dtype=np.float64)
        self.n_patterns = 0

    def __repr__(self) -> str:
        return f"HopfieldNetwork(n_neurons={self.n_neurons}, patterns stored={self.n_patterns})"

    @property
    def weights(self) -> np.ndarray:
        """The weight matrix ``W`` (a read-only view: change it through :meth:`train`)."""
        view = self._weights.view()
        view.flags.writeable = False
        return view

    @property
    def load(self) -> float:
        """Patterns stored per neuron, P/N; recall of random patterns fails beyond about 0.138."""
        return self.n_patterns / self.n_neurons

    # -- input checks -------------------------------------------------------------------
    def _as_states(self, states, what: str) -> tuple[np.ndarray, tuple[int, ...]]:
        """Checked (n_states, n_neurons) int8 matrix and the shape of one state as given."""
        array = check_pm1(states, what)
        if array.size == self.n_neurons:
            return array.reshape(1, -1), array.shape
        if array.ndim >= 2 and array[0].size == self.n_neurons:
            return array.reshape(len(array), -1), array.shape[1:]
        raise ValueError(
            f"each {what} must have {self.n_neurons} values (one per neuron), got an array of "
            f"shape {array.shape}: pass one state, or several stacked along the first axis"
        )

    def _as_state(self, state, what: str = "state") -> tuple[np.ndarray, tuple[int, ...]]:
        array = check_pm1(state, what)
        if array.size != self.n_neurons:
            raise ValueError(
                f"the {what} has {array.size} values but the network has {self.n_neurons} neurons:"
                f" give one value per neuron (for several states use recall_many)"
            )
        return array.reshape(-1), array.shape

    @staticmethod
    def _check_mode(mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be 'async' (one neuron at a time) or 'sync' (all at once), got {mode!r}")

    # -- learning and energy ------------------------------------------------------------
    def train(self, patterns) -> HopfieldNetwork:
        """Hebb's rule: add ``V_i * V_j`` to ``W_ij`` for each pattern; ``W_ii`` stays 0.

        Accepts one pattern or several stacked along the first axis (any picture shape).
        Training again adds to the weights already learnt, as on the slides. Returns the
        network, so ``HopfieldNetwork(25).train(p)`` works.
        """
        matrix, _ = self._as_states(patterns, "pattern")
        as_float = matrix.astype(np.float64)
        self._weights += as_float.T @ as_float
        np.fill_diagonal(self._weights, 0.0)
        self.n_patterns += len(matrix)
        return self

    def excitation(self, state) -> np.ndarray:
        """The excitation ``h_i = sum_j W_ij V_j`` of every neuron, in the state's shape."""
        vector, shape = self._as_state(state)
        return (self._weights @ vector).reshape(shape)

    def energy(self, state) -> float:
        """``E = -1/2 sum_ij W_ij V_i V_j``: low for stored patterns, never raised by async updates."""
        vector, _ = self._as_state(state)
        v = vector.astype(np.float64)
        return float(-0.5 * v @ self._weights @ v)

    def energies(self, states) -> np.ndarray:
        """The energy of each of several states (stacked along the first axis)."""
        matrix, _ = self._as_states(states, "state")
        m = matrix.astype(np.float64)
        return -0.5 * np.einsum("ij,ij->i", m @ self._weights, m)

    def is_stable(self, states) -> np.ndarray:
        """True for each state that no neuron would change: a fixed point of the dynamics."""
        matrix, _ = self._as_states(states, "state")
        field = matrix.astype(np.float64) @ self._weights
        return np.all(_threshold(field, matrix) == matrix, axis=1)

    # -- recall -------------------------------------------------------------------------
    def recall(self, state, mode: str = "async", max_sweeps: int = DEFAULT_MAX_SWEEPS, seed=None) -> np.ndarray:
        """Let the network settle from ``state``; return the final state in the shape given.

        Parameters
        ----------
        state : +1/-1 values, one per neuron (a 5x5 picture comes back as a 5x5 picture).
        mode : "async" updates one neuron at a time in a random order each sweep (energy never
            rises); "sync" updates all neurons at once (it can end in a 2-cycle).
        max_sweeps : stop after this many sweeps (one sweep = every neuron updated once).
        seed : int, None or Generator for the async update order.
        """
        vector, shape = self._as_state(state)
        return self.recall_many(vector[None], mode=mode, max_sweeps=max_sweeps, seed=seed)[0].reshape(shape)

    def recall_many(self, states, mode: str = "async", max_sweeps: int = DEFAULT_MAX_SWEEPS, seed=None) -> np.ndarray:
        """Settle several states at once (stacked along the first axis); same shape out.

        All states share one random update order per sweep; each stops changing once it
        reaches a fixed point, so the result equals settling them one by one with that order.
        """
        self._check_mode(mode)
        max_sweeps = _check_sweeps(max_sweeps)
        array = check_pm1(states, "states")
        matrix, _ = self._as_states(array, "state")
        if mode == "async":
            final = self._settle_async(matrix, max_sweeps, as_rng(seed))
        else:
            final = self._settle_sync(matrix, max_sweeps)
        return final.reshape(array.shape)

    def _settle_async(self, matrix: np.ndarray, max_sweeps: int, rng: np.random.Generator) -> np.ndarray:
        """Asynchronous updates for each row, every row using the same update order per sweep."""
        orders: list[np.ndarray] = []

        def order(sweep: int) -> np.ndarray:
            while len(orders) <= sweep:
                orders.append(rng.permutation(self.n_neurons))
            return orders[sweep]

        final = matrix.copy()
        for row in final:
            self._async_one(row, order, max_sweeps)
        return final

    def _async_one(self, s: np.ndarray, order, max_sweeps: int, on_flip=None) -> tuple[int, bool]:
        """Settle one state in place, one neuron at a time; return (sweeps, reached fixed point).

        Visiting neurons in ``order(sweep)`` and updating each is the same as jumping straight
        to the next neuron whose state disagrees with its excitation, which is what this does
        (vectorised), keeping the excitation up to date after each flip.
        """
        w = self._weights
        h = w @ s.astype(np.float64)  # integer-valued, so the updates below stay exact
        for sweep in range(max_sweeps):
            visit = order(sweep)
            pos, flipped = 0, False
            while True:
                rest = visit[pos:]
                unstable = np.flatnonzero(h[rest] * s[rest] < 0)  # h == 0: keep the state
                if unstable.size == 0:
                    break
                pos += int(unstable[0])
                i = visit[pos]
                s[i] = -s[i]
                h += (2.0 * s[i]) * w[i]  # W is symmetric: column i equals row i
                flipped = True
                pos += 1
                if on_flip is not None:
                    on_flip(int(i))
            if not flipped:
                return sweep + 1, True
        return max_sweeps, False

    def _settle_sync(self, matrix: np.ndarray, max_sweeps: int) -> np.ndarray:
        """Synchronous updates of every neuron at once, for all rows.

        Stops when every row is at a fixed point or in a 2-cycle (a row in a 2-cycle comes
        back as one of its two states).
        """
        s, previous = matrix.copy(), None
        for _ in range(max_sweeps):
            new = _threshold(s.astype(np.float64) @ self._weights, s)
            if np.array_equal(new, s):
                break
            s, previous, cycling = new, s, previous is not None and np.array_equal(new, previous)
            if cycling:  # every row is at a fixed point or alternates between two states
                break
        return s

    def trace(
        self,
        state,
        mode: str = "async",
        max_sweeps: int = DEFAULT_MAX_SWEEPS,
        seed=None,
        record: str | None = None,
    ) -> RecallTrace:
        """Settle one state and keep every step: the states and energies the plots show.

        ``record="flip"`` (the async default) keeps the state after each neuron that changes,
        so the energy visibly falls flip by flip; ``record="sweep"`` (the sync default, the
        only choice there) keeps one state per sweep. Sync mode stops at a fixed point or as
        soon as it returns to the state of two steps before (a 2-cycle, ``cycle=True``).
        """
        self._check_mode(mode)
        max_sweeps = _check_sweeps(max_sweeps)
        record = record or ("flip" if mode == "async" else "sweep")
        if record not in ("flip", "sweep") or (mode == "sync" and record == "flip"):
            raise ValueError(f"record must be 'flip' (async only) or 'sweep', got {record!r} with mode {mode!r}")
        vector, shape = self._as_state(state)
        s = vector.copy()
        states, neurons = [s.copy()], []
        converged = cycle = False
        sweeps = 0
        if mode == "async":
            rng = as_rng(seed)
            orders: list[np.ndarray] = []

            def order(sweep: int) -> np.ndarray:
                orders.append(rng.permutation(self.n_neurons))
                if record == "sweep" and sweep > 0 and not np.array_equal(s, states[-1]):
                    states.append(s.copy())
                    neurons.append(-1)
                return orders[-1]

            def on_flip(i: int) -> None:
                if record == "flip":
                    states.append(s.copy())
                    neurons.append(i)

            sweeps, converged = self._async_one(s, order, max_sweeps, on_flip)
            if record == "sweep" and not np.array_equal(s, states[-1]):
                states.append(s.copy())
                neurons.append(-1)
        else:
            for sweeps in range(1, max_sweeps + 1):  # noqa: B007
                new = _threshold(self._weights @ s, s)
                if np.array_equal(new, s):
                    converged = True
                    break
                s = new
                states.append(s.copy())
                neurons.append(-1)
                if len(states) >= 3 and np.array_equal(states[-1], states[-3]):
                    cycle = True
                    break
        stacked = np.stack(states)
        return RecallTrace(
            states=stacked.reshape((len(states), *shape)),
            energies=self.energies(stacked),
            neurons=np.array(neurons, dtype=int),
            mode=mode,
            sweeps=sweeps,
            converged=converged,
            cycle=cycle,
        )


def _check_sweeps(max_sweeps) -> int:
    return integer(max_sweeps, "max_sweeps", low=1)


def store_patterns(patterns) -> HopfieldNetwork:
    """A new network sized for ``patterns`` (stacked along the first axis) and trained on them."""
    array = check_pm1(patterns, "patterns")
    if array.ndim < 2:
        array = array[None]
    return HopfieldNetwork(int(array[0].size)).train(array)


def hebbian_weights(patterns) -> np.ndarray:
    """The weights Hebb's rule gives for ``patterns``: sum of outer products, zero diagonal."""
    return np.array(store_patterns(patterns).weights)


def recall_outcomes(network: HopfieldNetwork, start, patterns, names, n_orders: int = 100) -> dict[str, int]:
    """Where recall from ``start`` ends under ``n_orders`` update orders (seeds 0, 1, ...).

    Asynchronous recall updates the neurons in a random order, and a different order can end
    in a different valley. Each end state is named after the stored pattern it equals
    (``"H"``), or whose inverse it equals (``"-X"``), or ``"other"`` (a spurious state);
    the counts come most frequent first.
    """
    array = check_pm1(patterns, "patterns")
    names = list(names)
    if len(names) != len(array):
        raise ValueError(f"{len(names)} names for {len(array)} patterns: give one name per pattern")
    n_orders = integer(n_orders, "n_orders", low=1)
    flat = array.reshape(len(array), -1)
    counts: dict[str, int] = {}
    for seed in range(n_orders):
        end = np.asarray(network.recall(start, seed=seed)).reshape(-1)
        label = "other"
        for name, pattern in zip(names, flat, strict=True):
            if np.array_equal(end, pattern):
                label = name
            elif np.array_equal(end, -pattern):
                label = f"-{name}"
        counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def weights_after_each(patterns) -> np.ndarray:
    """The weight matrix after the first, second, ... pattern: shape (P, N, N), for plots."""
    array = check_pm1(patterns, "patterns")
    net = HopfieldNetwork(int(array[0].size))
    snapshots = []
    for pattern in array:
        net.train(pattern)
        snapshots.append(np.array(net.weights))
    return np.stack(snapshots)


def recall_fraction(
    n_neurons: int,
    n_patterns: int,
    noise: float = 0.1,
    threshold: float = 0.97,
    n_trials: int = 1,
    mode: str = "async",
    max_sweeps: int = DEFAULT_MAX_SWEEPS,
    seed: int = 0,
) -> float:
    """Share of ``n_patterns`` random patterns recalled from ``noise`` flipped pixels.

    A pattern counts as recalled when the settled state has overlap >= ``threshold`` with
    it. Each trial stores fresh random patterns. The random numbers depend only on
    ``(seed, n_neurons, n_patterns)``, so one point of a curve never depends on the others.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold is an overlap between 0 and 1, got {threshold}")
    n_trials = integer(n_trials, "n_trials", low=1)
    rng = np.random.default_rng([int(seed), int(n_neurons), int(n_patterns)])
    recalled = 0
    for _ in range(n_trials):
        patterns = random_patterns(n_patterns, n_neurons, rng)
        net = HopfieldNetwork(n_neurons).train(patterns)
        noisy = np.stack([add_noise(p, noise, rng) for p in patterns])
        final = net.recall_many(noisy, mode=mode, max_sweeps=max_sweeps, seed=rng)
        m = np.einsum("ij,ij->i", final.astype(np.float64), patterns) / n_neurons
        recalled += int(np.sum(m >= threshold))
    return recalled / (int(n_patterns) * n_trials)


def capacity_curve(
    n_neurons: int,
    loads,
    noise: float = 0.1,
    threshold: float = 0.97,
    n_trials: int = 1,
    mode: str = "async",
    max_sweeps: int = DEFAULT_MAX_SWEEPS,
    seed: int = 0,
) -> np.ndarray:
    """The share of patterns recalled at each load P/N (``P = round(load * N)``, at least 1).

    The capacity experiment of the notebook: compare where the curve collapses with
    :data:`CRITICAL_LOAD`. Small networks collapse a little later (a finite-size effect).
    """
    loads = np.asarray(loads, dtype=float).reshape(-1)
    if loads.size == 0 or np.any(loads <= 0):
        raise ValueError(f"loads must be positive numbers P/N such as 0.05, 0.1, got {loads.tolist()}")
    n_neurons = integer(n_neurons, "n_neurons", low=1)
    return np.array([
        recall_fraction(
            int(n_neurons), max(1, int(round(load * n_neurons))), noise=noise, threshold=threshold,
            n_trials=n_trials, mode=mode, max_sweeps=max_sweeps, seed=seed,
        )
        for load in loads
    ])
