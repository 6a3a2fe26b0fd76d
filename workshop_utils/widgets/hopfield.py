"""Instructor widgets for notebook 01: :class:`RecallPad` (draw, store, recall, step through the
settling) and :class:`NoiseExplorer` (how much noise a stored letter survives)."""

from collections import namedtuple

import ipywidgets as widgets
import numpy as np

from ..hopfield import HopfieldNetwork, RecallTrace
from ..patterns import NAMES, SIDE, add_noise, check_pm1, letter, letters, overlap, overlaps
from ..plots import palette
from ..plots.hopfield import plot_patterns, plot_recall
from .common import Panel

FIRE_COLOUR, SILENT_COLOUR = palette.FIRE, palette.SILENT


def train_letters(names) -> HopfieldNetwork:
    """A 25-neuron network that has learnt the named pictures (e.g. "TLC") with Hebb's rule."""
    names = list(names)
    if not names:
        raise ValueError("choose at least one picture to store (e.g. 'T'): an empty network recalls nothing")
    return HopfieldNetwork(SIDE * SIDE).train(letters(names))


def recall_steps(names, picture, mode: str = "async", seed: int = 0) -> RecallTrace:
    """Store ``names``, then let ``picture`` settle and keep every step (for the grid and plot)."""
    return train_letters(names).trace(picture, mode=mode, seed=seed)


def describe_trace(trace: RecallTrace, names) -> str:
    """One line on how recall went: steps, energy change, and the stored picture (or inverted
    one) the result is most like."""
    names = list(names)
    values = overlaps(trace.final, letters(names))[0]
    best = int(np.argmax(np.abs(values)))
    name = names[best] if values[best] >= 0 else f"inverted {names[best]}"
    if trace.cycle:
        status = "oscillates in a 2-cycle"
    elif trace.converged:
        status = f"settled after {trace.n_steps} {'flips' if trace.mode == 'async' else 'steps'}"
    else:
        status = "stopped at the sweep limit"
    verdict = "exactly" if abs(values[best]) == 1 else f"overlap {abs(values[best]):.2f} with"
    return (f"{trace.mode}: {status}; energy {trace.energies[0]:.0f} -> {trace.energies[-1]:.0f}; "
            f"ends {verdict} {name}")


#: A stored picture, its noisy copy and what the network made of it.
NoisyRecall = namedtuple("NoisyRecall", "original noisy recalled overlap_noisy overlap_recalled")


def noisy_recall(names, target: str, fraction: float, seed: int = 0, mode: str = "async") -> NoisyRecall:
    """Store ``names``; flip ``fraction`` of ``target``'s pixels; recall. Same seed, same flips."""
    original = letter(target)
    noisy = add_noise(original, fraction, seed=seed)
    recalled = train_letters(names).recall(noisy, mode=mode, seed=seed)
    return NoisyRecall(original, noisy, recalled, overlap(noisy, original), overlap(recalled, original))


def _show(output: widgets.Output, figure) -> None:
    """Make ``figure`` all that ``output`` shows; setting outputs (not ``with output: display()``)
    keeps it in the widget, so a headless run stores the same cell outputs as a live one."""
    output.outputs = ()
    output.append_display_data(figure)


def _paint(button: widgets.ToggleButton) -> None:
    button.style.button_color = FIRE_COLOUR if button.value else SILENT_COLOUR


class RecallPad:
    """Draw on a 5x5 grid, choose the stored letters, press Recall, step through the settling.
    ``pad.widget`` is the UI; every callback is a method that works without a browser."""

    def __init__(self, stored="TLC", start: str = "T", noise: float = 0.2, mode: str = "async", seed: int = 0):
        self.seed, self.trace, self._painting = seed, None, False
        layout = widgets.Layout(width="38px", height="38px", padding="0", margin="1px")
        self.pixels = [widgets.ToggleButton(value=False, layout=layout) for _ in range(SIDE * SIDE)]
        for button in self.pixels:
            button.observe(self._on_pixel_change, names="value")
        self.grid = widgets.GridBox(self.pixels, layout=widgets.Layout(
            grid_template_columns=f"repeat({SIDE}, 40px)", width=f"{SIDE * 42}px"))
        self.stored_buttons = {name: widgets.ToggleButton(value=name in list(stored), description=name,
                                                          layout=widgets.Layout(width="52px"))
                               for name in NAMES}
        self.letter_choice = widgets.Dropdown(options=NAMES, value=start, description="picture",
                                              layout=widgets.Layout(width="170px"))
        self.noise = widgets.FloatSlider(value=noise, min=0, max=0.5, step=0.04, description="noise",
                                         readout_format=".0%")
        self.mode = widgets.ToggleButtons(options=["async", "sync"], value=mode, description="updates")
        self.step = widgets.IntSlider(value=0, min=0, max=0, description="step")
        self.play = widgets.Play(value=0, min=0, max=0, interval=300)
        widgets.jslink((self.play, "value"), (self.step, "value"))
        self.status, self.plot = widgets.HTML(), widgets.Output()
        row = []
        for label, action in {"Draw": self.draw_letter, "Add noise": self.add_noise, "Invert": self.invert,
                              "Clear": self.clear, "Recall": self.recall}.items():
            button = widgets.Button(description=label, layout=widgets.Layout(width="90px"),
                                    button_style="success" if label == "Recall" else "")
            button.on_click(lambda _b, action=action: action())
            row.append(button)
        self.step.observe(lambda change: self.show_step(change["new"]), names="value")
        self.widget = Panel("RecallPad: a 5x5 drawing grid with Recall (run the notebook to use it)", children=[
            widgets.HBox([widgets.Label("stored:"), *self.stored_buttons.values()],
                         layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([self.grid, widgets.VBox([self.letter_choice, self.noise, self.mode,
                                                    widgets.HBox(row[:4]), row[4]])]),
            widgets.HBox([self.play, self.step]), self.status, self.plot])
        self.draw_letter()

    @property
    def picture(self) -> np.ndarray:
        """The picture on the grid, a 5x5 array of +1/-1."""
        return np.array([1 if b.value else -1 for b in self.pixels], dtype=np.int8).reshape(SIDE, SIDE)

    def set_picture(self, picture) -> None:
        """Show ``picture`` on the grid (not counted as drawing, which forgets the last recall)."""
        self._painting = True
        try:
            for button, value in zip(self.pixels, check_pm1(picture, "picture").reshape(-1), strict=True):
                button.value = bool(value > 0)
                _paint(button)
        finally:
            self._painting = False

    def _on_pixel_change(self, change) -> None:
        _paint(change["owner"])
        if not self._painting:
            self._forget_trace()

    def _forget_trace(self) -> None:
        self.trace = None
        self.step.max = self.play.max = 0
        self.status.value = "Press <b>Recall</b> to let the network settle."

    @property
    def stored(self) -> list[str]:
        """Names of the pictures the network stores (the toggled ones)."""
        return [name for name, button in self.stored_buttons.items() if button.value]

    def set_stored(self, names) -> None:
        """Store exactly ``names`` (e.g. "TLC")."""
        names = list(names)
        for name in names:
            letter(name)  # a clear error for an unknown name
        for name, button in self.stored_buttons.items():
            button.value = name in names

    def _draw(self, picture) -> None:  # a new drawing: forget the last recall
        self.set_picture(picture)
        self._forget_trace()

    def draw_letter(self, name: str | None = None) -> None:
        """Put a clean picture from the alphabet on the grid."""
        if name is not None:
            self.letter_choice.value = name
        self._draw(letter(self.letter_choice.value))

    def add_noise(self) -> None:
        """Flip the slider's share of pixels (a new choice of pixels each press)."""
        self.seed += 1
        self._draw(add_noise(self.picture, self.noise.value, seed=self.seed))

    def invert(self) -> None:  # the inverse of a stored pattern: a spurious state the network also holds
        self._draw(-self.picture)

    def clear(self) -> None:
        self._draw(-np.ones((SIDE, SIDE), dtype=np.int8))

    def recall(self) -> RecallTrace | None:
        """Settle the drawn picture with the stored letters; the step slider walks back through it."""
        if not self.stored:
            self.status.value = "Choose at least one stored picture first."
            return None
        self.trace = recall_steps(self.stored, self.picture, mode=self.mode.value, seed=self.seed)
        self.step.max = self.play.max = self.trace.n_steps
        self.step.value = self.trace.n_steps
        self.show_step(self.trace.n_steps)
        _show(self.plot, plot_recall(self.trace))
        return self.trace

    def show_step(self, k: int) -> None:
        """Show the k-th recorded state of the last recall and its energy."""
        if self.trace is None:
            return
        k = int(np.clip(k, 0, self.trace.n_steps))
        self.set_picture(self.trace.states[k])
        self.status.value = (f"step {k} of {self.trace.n_steps}: energy <b>{self.trace.energies[k]:.0f}</b>"
                             f"<br>{describe_trace(self.trace, self.stored)}")


class NoiseExplorer:
    """A stored letter with 0-50 % of its pixels flipped and what the network gives back."""

    def __init__(self, stored="TLC", target: str = "T", fraction: float = 0.2, seed: int = 0):
        self.stored = list(stored)
        self.target = widgets.Dropdown(options=self.stored, value=target, description="letter")
        self.fraction = widgets.FloatSlider(value=fraction, min=0, max=0.5, step=0.04, description="noise",
                                            readout_format=".0%", continuous_update=False)
        self.seed = widgets.IntSlider(value=seed, min=0, max=20, description="seed", continuous_update=False)
        self.result: NoisyRecall | None = None
        self.out = widgets.Output()
        for control in (self.target, self.fraction, self.seed):
            control.observe(lambda _change: self.update(), names="value")
        self.widget = Panel("NoiseExplorer: a noise slider and what the network recalls (run the notebook to use it)",
                            children=[widgets.HBox([self.target, self.fraction, self.seed]), self.out])
        self.update()

    def update(self) -> NoisyRecall:
        """Recompute for the current controls and redraw the three pictures."""
        r = self.result = noisy_recall(self.stored, self.target.value, self.fraction.value, seed=self.seed.value)
        _show(self.out, plot_patterns([r.original, r.noisy, r.recalled],
                                      [f"stored {self.target.value}", f"noisy ({r.overlap_noisy:.2f})",
                                       f"recalled ({r.overlap_recalled:.2f})"], size=1.8))
        return r
