"""Quiet hours, backoff and event rendering: pure functions, many cases."""

from datetime import UTC, datetime, time, timedelta

import pytest

from qyzmet.core.calendar import ALMATY
from qyzmet.notifications.events import event_get, event_keys, event_render
from qyzmet.notifications.schedule import (
    next_attempt,
    parse_quiet_hours,
    quiet_until,
    retry_delay,
)

NIGHT = (time(22, 0), time(8, 0))
LUNCH = (time(13, 0), time(14, 0))


def _almaty(*args: int) -> datetime:
    return datetime(*args, tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00-08:00", NIGHT),
        (" 22:00 - 08:00 ", NIGHT),
        ("22-08", NIGHT),
        ("13:00-14:00", LUNCH),
        ("off", None),
        ("", None),
        ("08:00-08:00", None),  # an empty window is no window
    ],
)
def test_quiet_hours_are_parsed(text: str, expected: tuple[time, time] | None) -> None:
    assert parse_quiet_hours(text) == expected


@pytest.mark.parametrize("text", ["22:00-08:00-09:00", "22:00", "22:00-25:00", "night"])
def test_malformed_quiet_hours_are_an_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quiet_hours(text)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (_almaty(2026, 3, 10, 21, 59, 59), None),  # just before
        (_almaty(2026, 3, 10, 22, 0), _almaty(2026, 3, 11, 8, 0)),  # the start is quiet
        (_almaty(2026, 3, 10, 23, 30), _almaty(2026, 3, 11, 8, 0)),
        (_almaty(2026, 3, 11, 0, 0), _almaty(2026, 3, 11, 8, 0)),  # after midnight: same day
        (_almaty(2026, 3, 11, 7, 59, 59), _almaty(2026, 3, 11, 8, 0)),
        (_almaty(2026, 3, 11, 8, 0), None),  # the end is not quiet
        (_almaty(2026, 3, 11, 12, 0), None),
        (_almaty(2026, 12, 31, 23, 0), _almaty(2027, 1, 1, 8, 0)),  # across the year
        (_almaty(2028, 2, 28, 22, 30), _almaty(2028, 2, 29, 8, 0)),  # leap day
    ],
)
def test_night_quiet_hours_cross_midnight(now: datetime, until: datetime | None) -> None:
    assert quiet_until(now, NIGHT, ALMATY) == until


@pytest.mark.parametrize(
    ("utc", "until_utc"),
    [
        # Almaty is UTC+5 all year (no daylight saving): 17:00 UTC is 22:00 there.
        (datetime(2026, 6, 1, 16, 59, tzinfo=UTC), None),
        (datetime(2026, 6, 1, 17, 0, tzinfo=UTC), datetime(2026, 6, 2, 3, 0, tzinfo=UTC)),
        (datetime(2026, 1, 15, 17, 0, tzinfo=UTC), datetime(2026, 1, 16, 3, 0, tzinfo=UTC)),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 3, 29, 3, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 2, 59, tzinfo=UTC), datetime(2026, 10, 25, 3, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 3, 0, tzinfo=UTC), None),
    ],
)
def test_quiet_hours_are_almaty_time_whatever_the_input_zone(
    utc: datetime, until_utc: datetime | None
) -> None:
    until = quiet_until(utc, NIGHT, ALMATY)
    assert until == until_utc
    if until is not None:
        assert until.utcoffset() == timedelta(hours=5)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (_almaty(2026, 3, 10, 12, 59), None),
        (_almaty(2026, 3, 10, 13, 0), _almaty(2026, 3, 10, 14, 0)),
        (_almaty(2026, 3, 10, 13, 59), _almaty(2026, 3, 10, 14, 0)),
        (_almaty(2026, 3, 10, 14, 0), None),
    ],
)
def test_a_window_within_one_day(now: datetime, until: datetime | None) -> None:
    assert quiet_until(now, LUNCH, ALMATY) == until


def test_no_quiet_hours_hold_nothing() -> None:
    assert quiet_until(_almaty(2026, 3, 10, 3, 0), None, ALMATY) is None


@pytest.mark.parametrize(
    ("attempt", "seconds"),
    [(1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 960), (7, 1920), (8, 3600), (40, 3600)],
)
def test_backoff_doubles_up_to_the_cap(attempt: int, seconds: int) -> None:
    assert retry_delay(attempt, base=30, cap=3600) == timedelta(seconds=seconds)


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError):
        retry_delay(0, base=30, cap=3600)


def test_a_retry_that_would_land_at_night_waits_for_morning_unless_urgent() -> None:
    now = _almaty(2026, 3, 10, 21, 58)
    kwargs = {"base": 60, "cap": 3600, "quiet": NIGHT, "zone": ALMATY}
    assert next_attempt(now, 1, urgent=False, **kwargs) == _almaty(2026, 3, 10, 21, 59)
    assert next_attempt(now, 2, urgent=False, **kwargs) == _almaty(2026, 3, 11, 8, 0)
    assert next_attempt(now, 2, urgent=True, **kwargs) == _almaty(2026, 3, 10, 22, 0)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize("key", event_keys())
def test_every_event_renders_in_every_language(key: str, language: str) -> None:
    context = {
        "code": "123456",
        "what": "X",
        "number": "Q260210-ABCDEF01",
        "state": {"kk": "қаралуда", "ru": "на рассмотрении", "en": "in review"},
        "application_id": "a1",
        "agency": "Agency",
        "count": 2,
        "amount_tiyn": 216250,
        "receipt": "R-1",
        "link": "/payments/",
    }
    rendered = event_render(key, language=language, context=context)
    assert rendered.text and rendered.subject
    assert "%(" not in rendered.text and "%(" not in rendered.subject
    if language != "en":  # translated, for one and for several (`count` is 2 here)
        english = event_render(key, language="en", context=context)
        assert rendered.text != english.text and rendered.subject != english.subject
    if "code" in key:
        assert "123456" in rendered.text
    if "amount" in event_get(key).text:
        assert "2" in rendered.text and "₸" in rendered.text


def test_a_status_message_takes_the_state_in_the_recipients_language() -> None:
    context = {
        "number": "Q1",
        "state": {"kk": "қаралуда", "ru": "на рассмотрении", "en": "in review"},
        "application_id": "abc",
    }
    en = event_render("application.status_changed", language="en", context=context)
    ru = event_render("application.status_changed", language="ru", context=context)
    assert en.text == "Qyzmet: application Q1 — in review."
    assert "на рассмотрении" in ru.text and "in review" not in ru.text
    assert en.link == "/applications/abc/"


def test_the_escalation_message_is_plural_by_count() -> None:
    one = event_render(
        "deadline.escalated", language="en", context={"count": 1, "agency": "A", "number": "Q1"}
    )
    many = event_render(
        "deadline.escalated", language="en", context={"count": 5, "agency": "A", "number": "Q1"}
    )
    assert one.text.startswith("Qyzmet: application Q1 of A has passed its deadline")
    assert many.text.startswith("Qyzmet: 5 applications of A have passed their deadlines")


def test_a_missing_context_value_is_an_error_not_a_broken_message() -> None:
    with pytest.raises(KeyError):
        event_render("application.status_changed", language="en", context={"number": "Q1"})


def test_links_outside_the_portal_are_dropped() -> None:
    rendered = event_render(
        "payment.succeeded",
        language="en",
        context={"amount_tiyn": 100, "what": "duty", "link": "https://evil.example/"},
    )
    assert rendered.link == ""
