"""Scripts that measure the workshop and print figures (never timed tests); see README.md."""
