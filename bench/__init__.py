"""City-scale benchmark: a data generator (bench.generate) and a runner (bench.run)."""
