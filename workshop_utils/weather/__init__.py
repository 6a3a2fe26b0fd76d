"""Notebook 04's machinery: the weather photos, their pipelines, the networks, honest evaluation.

One module per job (none imports TensorFlow at import time; the functions that need it import
it themselves, so ``from workshop_utils import weather`` stays cheap):

- ``dataset``: fetch the real photos (verify, decode, split, lay out), ``SPLIT.json``, status;
- ``standins``: synthetic stand-in pictures for fast mode and tests;
- ``images``: decode any photo by content to RGB, perceptual hash;
- ``split``: near-duplicate groups and the grouped, stratified split;
- ``pipelines``: file lists, class counts, ``tf.data`` pipelines, cross-validation rounds;
- ``augment``: the augmentation layers (shear, rotate, zoom, flip);
- ``builders``: the Keras builders of the slides' network and the better one;
- ``training``: training with compact progress and the best epoch kept, save and load;
- ``evaluation``: ``Evaluation``, ``classify_image`` and the colour baseline;
- ``transfer``: frozen features of a pretrained backbone (cached on disk), a logistic-regression
  head judged by the same ``Evaluation``, optional fine-tuning (weights: ``..pretrained``).

The names notebook 04 uses are re-exported here.
"""

from ..models import import_keras, layer_table
from .augment import (
    DEFAULT_STRENGTH,
    AugmentStrength,
    augment_examples,
    make_augmentation,
    shear_layer_class,
)
from .builders import SLIDES_CNN_LAYERS, build_better_cnn, build_weather_cnn, slides_layer_names
from .dataset import (
    CITATION,
    CLASSES,
    SPLITS,
    example_duplicate_pair,
    fetch_weather,
    photos_problem,
    print_split_report,
    split_report,
    weather_images,
    weather_source,
)
from .evaluation import (
    GOOD_WEATHER,
    BaselineResult,
    Evaluation,
    benchmark_line,
    classify_image,
    evaluate_model,
    good_bad_accuracy,
    photo_batch,
    train_baseline,
)
from .images import read_image
from .pipelines import (
    BATCH_SIZE,
    IMAGE_SIZE,
    WeatherSplits,
    class_counts,
    cross_validation_rounds,
    load_splits,
    make_dataset,
    split_files,
    splits_from_files,
)
from .split import counts_table
from .standins import make_standin_weather
from .training import (
    EPOCHS,
    TrainingResult,
    best_weights_keeper,
    compact_progress,
    default_epochs,
    load_model,
    model_name,
    save_model,
    train_model,
    train_or_load,
)
from .transfer import (
    TRANSFER_IMAGE_SIZE,
    TransferResult,
    WeightsMissing,
    fine_tune_model,
    train_transfer,
)

__all__ = [
    "AugmentStrength", "BATCH_SIZE", "BaselineResult", "CITATION", "CLASSES", "DEFAULT_STRENGTH",
    "EPOCHS", "Evaluation", "GOOD_WEATHER", "IMAGE_SIZE", "SLIDES_CNN_LAYERS", "SPLITS",
    "TRANSFER_IMAGE_SIZE", "TrainingResult", "TransferResult", "WeatherSplits", "WeightsMissing",
    "augment_examples", "benchmark_line", "best_weights_keeper", "build_better_cnn",
    "build_weather_cnn", "class_counts", "classify_image", "compact_progress", "counts_table",
    "cross_validation_rounds", "default_epochs", "evaluate_model", "example_duplicate_pair",
    "fetch_weather", "fine_tune_model", "good_bad_accuracy", "import_keras", "layer_table",
    "load_model", "load_splits", "make_augmentation", "make_dataset", "make_standin_weather",
    "model_name", "photo_batch", "photos_problem", "print_split_report",
    "read_image", "save_model", "shear_layer_class", "slides_layer_names", "split_files",
    "split_report", "splits_from_files", "train_baseline", "train_model", "train_or_load",
    "train_transfer", "weather_images", "weather_source",
]
