"""The one shape of a paged list's query: `limit` and `offset`, bounded.

Out of bounds is a 422 naming the parameter, never clamped quietly and never passed on to the
database (an offset past 2**63 overflows its integer and was a 500).
"""

from __future__ import annotations

from ninja import Field, Schema

LIMIT_DEFAULT = 50
LIMIT_MAX = 200
OFFSET_MAX = 100_000


class PageIn(Schema):
    limit: int = Field(
        LIMIT_DEFAULT, ge=1, le=LIMIT_MAX, description=f"Items per page, 1 to {LIMIT_MAX}"
    )
    offset: int = Field(0, ge=0, le=OFFSET_MAX, description="Items to skip")
