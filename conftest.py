"""Settings for the one pytest run that tests the package and every notebook.

Environment set here reaches the notebook kernels that nbval starts, because they inherit
this process's environment.
"""

import os

# Notebook 04 runs on small stand-in photos and few epochs in CI; 01-03 ignore the flag.
os.environ.setdefault("WORKSHOP_FAST", "1")
# Keep TensorFlow's C++ start-up chatter out of the streams nbval compares.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
