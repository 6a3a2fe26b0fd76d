"""Hopfield widgets (their callbacks, called without a browser), figures and exercise checks."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from workshop_utils.hopfield import HopfieldNetwork, capacity_curve  # noqa: E402
from workshop_utils.patterns import add_noise, letter, letters  # noqa: E402
from workshop_utils.plots import hopfield as plots  # noqa: E402
from workshop_utils.widgets import hopfield as w  # noqa: E402


def click(pad, row: int, col: int) -> None:
    """What a click on the grid does: flip that pixel's toggle button."""
    pad.pixels[row * 5 + col].value = not pad.pixels[row * 5 + col].value


# -- plain functions behind the widgets -----------------------------------------------------
def test_a_click_flips_exactly_one_pixel():
    pad = w.RecallPad(stored="HTX", start="T")
    click(pad, 0, 0)
    assert pad.picture[0, 0] == -1 and np.sum(pad.picture != letter("T")) == 1


def test_train_letters_needs_a_choice():
    assert w.train_letters("HTX").n_patterns == 3
    with pytest.raises(ValueError, match="at least one picture"):
        w.train_letters([])


def test_recall_steps_and_description():
    trace = w.recall_steps("HTX", add_noise(letter("T"), 0.2, seed=0), seed=0)
    assert np.array_equal(trace.final, letter("T"))
    assert trace.n_steps == 5
    text = w.describe_trace(trace, "HTX")
    assert "settled after 5 flips" in text and "ends exactly T" in text
    inverted = w.recall_steps("HTX", letter("O"), seed=0)
    assert "inverted X" in w.describe_trace(inverted, "HTX")
    cycling = w.recall_steps("HTX", letter("box"), mode="sync")
    assert "2-cycle" in w.describe_trace(cycling, "HTX")


def test_noisy_recall_is_seeded_and_reports_overlaps():
    r = w.noisy_recall("HTX", "H", 0.2, seed=3)
    assert r.overlap_noisy == pytest.approx(0.6)
    assert r.overlap_recalled == 1.0 and np.array_equal(r.recalled, letter("H"))
    again = w.noisy_recall("HTX", "H", 0.2, seed=3)
    assert np.array_equal(r.noisy, again.noisy)
    assert w.noisy_recall("HTX", "H", 0.0).overlap_noisy == 1.0


# -- the widgets, driven through their callbacks --------------------------------------------
def test_recall_pad_draw_toggle_recall_and_step():
    pad = w.RecallPad(stored="HTX", start="T")
    assert np.array_equal(pad.picture, letter("T"))
    assert pad.pixels[0].style.button_color == w.FIRE_COLOUR
    click(pad, 0, 0)
    assert pad.picture[0, 0] == -1 and pad.pixels[0].style.button_color == w.SILENT_COLOUR
    trace = pad.recall()
    assert np.array_equal(trace.final, letter("T")) and np.array_equal(pad.picture, letter("T"))
    assert pad.step.max == trace.n_steps == 1 and "energy" in pad.status.value
    pad.step.value = 0  # the slider walks back to the drawn picture
    assert pad.picture[0, 0] == -1
    assert "step 0 of 1" in pad.status.value
    click(pad, 2, 2)  # drawing again forgets the old recall
    assert pad.trace is None and pad.step.max == 0


def test_recall_pad_stored_choice_noise_invert_clear_and_sync():
    pad = w.RecallPad(stored="HTX", start="X")
    pad.set_stored("TL")
    assert pad.stored == ["L", "T"]
    with pytest.raises(ValueError, match="no picture called"):
        pad.set_stored(["Q"])
    pad.noise.value = 0.2
    pad.add_noise()
    assert int(np.sum(pad.picture != letter("X"))) == 5
    pad.invert()
    assert int(np.sum(pad.picture == letter("X"))) == 5
    pad.clear()
    assert (pad.picture == -1).all()
    pad.set_stored("HTX")
    pad.draw_letter("box")
    pad.mode.value = "sync"
    assert pad.recall().cycle
    pad.set_stored([])
    assert pad.recall() is None and "at least one" in pad.status.value


def test_noise_explorer_updates_on_slider():
    explorer = w.NoiseExplorer(stored="HTX", target="X", fraction=0.0)
    assert explorer.result.overlap_noisy == 1.0
    explorer.fraction.value = 0.48
    assert explorer.result.overlap_noisy == pytest.approx(1 - 2 * 12 / 25)
    explorer.target.value = "H"
    assert np.array_equal(explorer.result.original, letter("H"))
    assert "NoiseExplorer" in repr(explorer.widget)


# -- figures ---------------------------------------------------------------------------------
def test_figures_are_returned_with_the_expected_panels():
    net = HopfieldNetwork(25).train(letters("HTX"))
    trace = net.trace(add_noise(letter("T"), 0.2, seed=0), seed=0)
    figs = {
        "patterns": plots.plot_patterns(letters("HTX"), list("HTX")),
        "growth": plots.plot_weight_growth(letters("HTX"), list("HTX")),
        "recall": plots.plot_recall(trace, target=letter("T")),
        "energies": plots.plot_energies({"async": trace}),
        "overlaps": plots.plot_overlap_matrix(letters("HTXI"), list("HTXI")),
        "capacity": plots.plot_capacity([0.05, 0.1], {100: capacity_curve(100, [0.05, 0.1])}),
    }
    assert all(isinstance(f, Figure) for f in figs.values())
    assert len(figs["patterns"].axes) == 3
    assert len(figs["growth"].axes) == 7  # 3 pictures, 3 heat maps, 1 colour bar
    heat = figs["growth"].axes[3].images[0].get_array()
    assert np.array_equal(heat, np.outer(letter("H").ravel(), letter("H").ravel()) - np.eye(25))
    assert len(figs["recall"].axes) == trace.n_steps + 2  # every state and the energy axis
    assert "overlap 1.00" in figs["recall"].axes[trace.n_steps].get_title()


def test_figure_input_errors():
    with pytest.raises(ValueError, match="no pictures"):
        plots.plot_patterns([])
    with pytest.raises(ValueError, match="2 titles for 1"):
        plots.plot_patterns([letter("T")], ["a", "b"])


# -- exercise checks --------------------------------------------------------------------------
