"""Notebook 04's machinery, one module per job (see the README's "How it is built"); none imports
TensorFlow at import time. The names the notebook calls are re-exported here."""

from ..models import import_keras, layer_table
from ..pretrained import WeightsMissing
from ..pretrained import weights_file as pretrained_weights
from .augment import augment_examples, make_augmentation, shear_layer_class
from .builders import IMAGE_SIZE, build_better_cnn, build_weather_cnn
from .evaluation import (
    Evaluation,
    classify_image,
    evaluate_model,
    photo_batch,
    split_files,
    train_baseline,
)
from .images import read_image
from .photos import (
    class_counts,
    example_duplicate_pair,
    fetch_weather,
    print_split_report,
    print_tree,
    weather_images,
)
from .split import CLASSES, SPLITS, counts_table
from .training import compact_progress, load_model, save_model
from .transfer import cached_features, fine_tune_model

__all__ = [
    "CLASSES", "Evaluation", "IMAGE_SIZE", "SPLITS", "WeightsMissing", "augment_examples",
    "build_better_cnn", "build_weather_cnn", "cached_features", "class_counts", "classify_image",
    "compact_progress", "counts_table", "evaluate_model", "example_duplicate_pair",
    "fetch_weather", "fine_tune_model", "import_keras", "layer_table", "load_model",
    "make_augmentation", "photo_batch", "pretrained_weights", "print_split_report", "print_tree", "read_image",
    "save_model", "shear_layer_class", "split_files", "train_baseline", "weather_images",
]
