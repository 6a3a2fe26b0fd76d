"""What machine this is, for ``check`` and the benchmarks."""

import platform
from pathlib import Path

#: Notebook 04's kernel at its peak, in MB (1 MB = 10^6 bytes), in the recorded benchmark run
#: (benchmarks/results.json; a test holds the two together): what ``check`` compares free memory with.
NOTEBOOK_04_PEAK_MB = 1490


def memory_line(available: int) -> str:
    """Free memory (bytes) against what notebook 04 needs, in one line for ``check``."""
    need = NOTEBOOK_04_PEAK_MB * 10**6
    verdict = ("enough" if available >= need else
               "not enough: close other programs, or on a JupyterHub or Binder shut down the other "
               "notebooks' kernels (Kernel > Shut Down All Kernels) before notebook 04")
    return (f"free memory: {available / 10**9:.1f} GB; notebook 04 needs about "
            f"{NOTEBOOK_04_PEAK_MB / 1000:.1f} GB at its peak: {verdict}")


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
