"""When a message may go: quiet hours, retry backoff, lifetimes. Pure functions of their
arguments, so the arithmetic is tested without a database."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """'22:00-08:00' → (22:00, 08:00); '' or 'off' → None (no quiet hours)."""
    text = text.strip().lower()
    if text in ("", "off", "none"):
        return None
    try:
        start_text, end_text = text.split("-")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    except ValueError as exc:
        raise ValueError(f"quiet hours must look like 22:00-08:00, not {text!r}") from exc
    return None if start == end else (start, end)


def quiet_until(now: datetime, quiet: tuple[time, time] | None, zone: tzinfo) -> datetime | None:
    """If `now` falls in the quiet hours (local time in `zone`), the moment they end; else None.
    A window whose start is after its end crosses midnight (22:00-08:00)."""
    if quiet is None:
        return None
    start, end = quiet
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    day = local.date()
    if start < end:
        if not start <= clock < end:
            return None
        ends_on = day
    else:
        if end <= clock < start:
            return None
        ends_on = day if clock < end else day + timedelta(days=1)
    return datetime.combine(ends_on, end, tzinfo=zone)


def retry_delay(attempt: int, *, base: int, cap: int) -> timedelta:
    """The wait after failed attempt number `attempt` (1, 2, …): base, 2·base, 4·base, … up to
    `cap` seconds."""
    if attempt < 1:
        raise ValueError("attempts are counted from 1")
    return timedelta(seconds=min(cap, base * 2 ** min(attempt - 1, 30)))


def next_attempt(
    now: datetime,
    attempt: int,
    *,
    base: int,
    cap: int,
    quiet: tuple[time, time] | None,
    zone: tzinfo,
    urgent: bool,
) -> datetime:
    """When to try again after a failed attempt: the backoff, then past the quiet hours unless
    the message is urgent."""
    when = now + retry_delay(attempt, base=base, cap=cap)
    if not urgent:
        when = quiet_until(when, quiet, zone) or when
    return when
