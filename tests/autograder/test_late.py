"""The late-penalty plugin: a share of the score per started day, never more than the score."""

from __future__ import annotations

import pytest

from autograder.late import PenaltyPerDay

DAY = 86400


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, None),
        (-5, None),
        (1, 2.0),
        (DAY, 2.0),
        (DAY + 1, 4.0),
        (9 * DAY, 18.0),
        (30 * DAY, 20.0),
    ],
)
def test_ten_percent_per_started_day_capped_at_the_score(seconds: float, expected) -> None:
    plugin = PenaltyPerDay(percent_per_day=10)
    assert plugin.late_submission_penalty("s1", 20.0, seconds) == expected


def test_the_percentage_is_configurable() -> None:
    assert PenaltyPerDay(percent_per_day=25).late_submission_penalty("s1", 8.0, 2 * DAY) == 4.0
