"""What machine this is, for ``check`` and the benchmarks."""

import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what ``platform`` says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def accelerator_line() -> str:
    """One line on what Keras will train on: the first GPU TensorFlow sees, or the CPU."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "Keras will train on: the CPU (no GPU found)"
    try:
        name = tf.config.experimental.get_device_details(gpus[0]).get("device_name", "")
    except (RuntimeError, ValueError):
        name = ""
    line = f"Keras will train on: GPU 0 ({name or gpus[0].name})"
    if len(gpus) > 1:
        line += f"; {len(gpus) - 1} more GPU{'s' if len(gpus) > 2 else ''} found, not used by default"
    return line
