"""Data sets: the synthetic 1980 patterns (shipped as code) and MNIST (downloaded, cached)."""
