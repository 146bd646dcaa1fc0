"""Core building blocks shared by every layer: errors, clocks, ids."""
