"""Random weights for notebook 04's pretrained backbone, where the ImageNet file is missing.

A forward pass costs the same time and memory whatever the weights' values, so the backbone
built with ``weights=None`` measures what section 9 costs (never its accuracy). For the run of
notebook 04, ``python benchmarks/standin_weights.py KERAS_HOME`` saves such weights as Keras
publishes its files (legacy HDF5, the published file name) in ``KERAS_HOME/models/`` and prints
``{"path": ..., "md5": ...}``; :func:`registration_cell` is the cell that ``run.py`` puts into its
temporary copy of the notebook so that the package accepts that file (its md5 in place of the
published one). The learners' notebook holds none of this.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def random_backbone(image_size: int, application: str | None = None):
    """The backbone (no top, global average pooling, frozen) with random weights: speed only."""
    import keras

    from workshop_utils import pretrained

    application = application or pretrained.BACKBONE.application
    model = getattr(keras.applications, application)(
        input_shape=(image_size, image_size, 3), include_top=False, weights=None, pooling="avg")
    model.trainable = False
    return model


def make_weights_file(keras_home: Path, seed: int = 0) -> tuple[Path, str]:
    """Save random weights of the notebook's backbone where Keras looks (``keras_home/models/``,
    under the published file name); the file's path and md5."""
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format  # the writer of Keras's published files

    from workshop_utils import pretrained

    keras.utils.set_random_seed(seed)
    entry = pretrained.BACKBONE
    path = Path(keras_home) / "models" / entry.file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    model = random_backbone(32, entry.application)  # the weights do not depend on the input size
    with h5py.File(path, "w") as handle:
        legacy_h5_format.save_weights_to_hdf5_group(handle, model)
    return path, hashlib.md5(path.read_bytes()).hexdigest()


def registration_cell(md5: str) -> str:
    """Code that makes the package accept the random weights file (md5 ``md5``) as its backbone's."""
    return ("# Added by benchmarks/run.py to its copy of the notebook only: random weights stand in\n"
            "# for the ImageNet file (same network, same time and memory; not its accuracy).\n"
            "import dataclasses\n\n"
            "from workshop_utils import pretrained\n\n"
            f"pretrained.BACKBONE = dataclasses.replace(pretrained.BACKBONE, md5={md5!r})\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python benchmarks/standin_weights.py KERAS_HOME", file=sys.stderr)
        return 2
    path, md5 = make_weights_file(Path(argv[0]))
    print(json.dumps({"path": str(path), "md5": md5}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
