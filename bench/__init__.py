"""policy-search benchmarks: ``python -m bench --help``."""
