"""Helpers the course notebooks import: device choice, seeding, data, training, plots, checks."""

from course import probe  # hidden tests report through course.probe (see autograder/judging.py)
from course.device import describe_device, get_device, to_device
from course.seed import make_generator, seed_everything

__all__ = [
    "describe_device",
    "get_device",
    "make_generator",
    "probe",
    "seed_everything",
    "to_device",
]
