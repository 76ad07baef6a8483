"""Benchmarks of the course: chapter run times and memory, training quality per second, set-up
time and size, and grading throughput. ``make bench`` runs them and publishes the results."""
