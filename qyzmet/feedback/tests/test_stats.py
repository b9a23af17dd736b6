"""The pure parts of the figures: rating aggregates, the age of majority, channel shares."""

from __future__ import annotations

from datetime import date

import pytest

from qyzmet.feedback.figures import ChannelShare, adult_born_by, channel_shares, share
from qyzmet.feedback.selectors import RatingStats, rating_stats


def test_rating_stats_count_every_grade_and_leave_hard_to_say_out_of_the_average() -> None:
    stats = rating_stats({"excellent": 3, "good": 1, "satisfactory": 1, "bad": 1, "hard_to_say": 2})

    assert stats == RatingStats(
        counts={"excellent": 3, "good": 1, "satisfactory": 1, "bad": 1, "hard_to_say": 2},
        total=8,
        positive_share=0.5,  # (3 + 1) / 8: "hard to say" is an answer, so it counts here
        average=4.0,  # (3·5 + 4 + 3 + 2) / 6
    )


def test_rating_stats_without_ratings_have_no_shares() -> None:
    assert rating_stats({}) == RatingStats(
        counts={"excellent": 0, "good": 0, "satisfactory": 0, "bad": 0, "hard_to_say": 0},
        total=0,
        positive_share=None,
        average=None,
    )


def test_only_hard_to_say_has_a_share_but_no_average() -> None:
    stats = rating_stats({"hard_to_say": 4, "unknown": 7})

    assert (stats.total, stats.positive_share, stats.average) == (4, 0.0, None)


@pytest.mark.parametrize(
    ("counts", "average"),
    [
        ({"excellent": 1}, 5.0),
        ({"bad": 2}, 2.0),
        ({"good": 1, "satisfactory": 2}, 10 / 3),
        ({"excellent": 2, "bad": 1, "hard_to_say": 9}, 4.0),
    ],
)
def test_average_marks(counts: dict[str, int], average: float) -> None:
    assert rating_stats(counts).average == pytest.approx(average)


@pytest.mark.parametrize(
    ("today", "born_by"),
    [
        (date(2026, 5, 10), date(2008, 5, 10)),
        (date(2026, 2, 28), date(2008, 2, 28)),
        (date(2028, 2, 29), date(2010, 2, 28)),  # 2010 has no 29 February
        (date(2032, 2, 29), date(2014, 2, 28)),
    ],
)
def test_adults_are_born_18_years_ago_or_earlier(today: date, born_by: date) -> None:
    assert adult_born_by(today) == born_by


def test_born_on_29_february_is_adult_from_1_march() -> None:
    assert adult_born_by(date(2026, 2, 28)) < date(2008, 2, 29)
    assert adult_born_by(date(2026, 3, 1)) >= date(2008, 2, 29)


def test_channel_shares_keep_every_channel_in_order() -> None:
    assert channel_shares({"app": 3, "web": 1}) == [
        ChannelShare(channel="web", count=1, share=0.25),
        ChannelShare(channel="app", count=3, share=0.75),
        ChannelShare(channel="centre", count=0, share=0.0),
    ]
    assert [row.share for row in channel_shares({})] == [None, None, None]
    assert share(1, 3) == pytest.approx(1 / 3)
