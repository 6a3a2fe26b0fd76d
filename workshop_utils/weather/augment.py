"""Data augmentation for notebook 04: random shear, rotation, zoom and flip as Keras layers.

The layers are random only while training (``training=True``, as ``model.fit`` calls them)
and pass images through unchanged at inference, so one model file can hold them and still
classify a new photo faithfully. Keras is imported inside the functions.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np

from ..checks import fraction, integer


@dataclass(frozen=True)
class AugmentStrength:
    """How strongly each random transform may change a photo (0 switches it off)."""

    rotation: float = 0.05  # largest rotation, as a fraction of a full turn (0.05: 18 degrees)
    zoom: float = 0.1  # largest zoom in or out, as a fraction of the size
    shear: float = 0.1  # largest shear, as a fraction of the size along each axis
    flip: bool = True  # mirror left-right at random (never upside down: skies stay on top)

    def __post_init__(self):
        for name in ("rotation", "zoom", "shear"):
            fraction(getattr(self, name), name)


#: The strengths the notebook and the benchmark use unless told otherwise.
DEFAULT_STRENGTH = AugmentStrength()


def _as_strength(strength: AugmentStrength | dict | None) -> AugmentStrength:
    if strength is None:
        return DEFAULT_STRENGTH
    if isinstance(strength, AugmentStrength):
        return strength
    if isinstance(strength, dict):
        return AugmentStrength(**strength)
    raise TypeError(f"strength must be an AugmentStrength, a dict or None, got {type(strength).__name__}")


@cache
def shear_layer_class():
    """``keras.layers.RandomShear`` that survives saving: Keras 3.15 saves a symmetric shear as a
    ``[-f, f]`` range that its own loader then refuses, so this one saves the number ``f``.

    Registered with Keras (once) so that ``keras.models.load_model`` finds it; call this before
    loading a saved model (``weather.load_model`` does).
    """
    import keras

    @keras.saving.register_keras_serializable(package="workshop_utils")
    class SymmetricRandomShear(keras.layers.RandomShear):
        def get_config(self):
            config = super().get_config()
            config["x_factor"] = float(self.x_factor[1])
            config["y_factor"] = float(self.y_factor[1])
            return config

    return SymmetricRandomShear


def make_augmentation(strength: AugmentStrength | dict | None = None, seed: int = 0):
    """A ``keras.Sequential`` named "augmentation" of the random layers that ``strength`` asks for.

    Each layer gets its own seed derived from ``seed``, so the same seed gives the same
    sequence of random transforms. With every strength at zero the block is the identity.
    """
    import keras

    strength = _as_strength(strength)
    seed = integer(seed, "seed", low=0)
    layers = []
    if strength.flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed, name="flip"))
    if strength.rotation:
        layers.append(keras.layers.RandomRotation(strength.rotation, fill_mode="reflect",
                                                  seed=seed + 1, name="rotation"))
    if strength.zoom:
        layers.append(keras.layers.RandomZoom(strength.zoom, fill_mode="reflect",
                                              seed=seed + 2, name="zoom"))
    if strength.shear:
        layers.append(shear_layer_class()(x_factor=strength.shear, y_factor=strength.shear,
                                          fill_mode="reflect", seed=seed + 3, name="shear"))
    if not layers:  # Keras cannot build an empty Sequential
        layers.append(keras.layers.Identity(name="none"))
    return keras.Sequential(layers, name="augmentation")


def augment_examples(image, n: int = 9, strength: AugmentStrength | dict | None = None,
                     seed: int = 0) -> np.ndarray:
    """``n`` augmented copies of one image (H, W, 3), as uint8 pixels, for the preview grid.

    The first copy is the original, so a learner can compare; the same seed gives the same grid.
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"expected one RGB image of shape (height, width, 3), got shape {image.shape}")
    n = integer(n, "n", low=1)
    augmentation = make_augmentation(strength, seed=seed)
    batch = np.repeat(image[None].astype("float32"), n - 1, axis=0)
    copies = np.asarray(augmentation(batch, training=True)) if n > 1 else batch
    out = np.concatenate([image[None].astype("float32"), copies], axis=0)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)
