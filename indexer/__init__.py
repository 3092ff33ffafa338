"""Building the index: reading, cleaning, analysis and the atomic, incremental build."""
