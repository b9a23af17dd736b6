"""The platform's operating figures: what the public dashboard and the open-data export show,
and the ministry's per-agency detail.

Every figure is a grouped aggregate query (a few rows per service, agency or year), never a loop
over applications or people; see docs/feedback.md for the definition of each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractYear, Length

from qyzmet.applications.actions import DRAFT
from qyzmet.applications.deadlines import AgencyStats, agency_deadline_stats
from qyzmet.applications.models import Application
from qyzmet.catalogue.schema import I18n, ServiceDefinition
from qyzmet.catalogue.selectors import catalogue_get
from qyzmet.core.calendar import ALMATY, add_years, local_today
from qyzmet.core.errors import NotFound
from qyzmet.feedback.models import Rating
from qyzmet.feedback.selectors import GroupRatings, RatingStats, rating_stats, ratings_by_group
from qyzmet.identity.models import Account, Person, PhoneBinding
from qyzmet.identity.selectors import ADULT_AGE

# Catalogue channels that deliver a service without a visit: applied for online, or started by
# the state itself (proactive) and confirmed online.
ONLINE_CHANNELS = ("online", "proactive")
CHANNELS: tuple[str, ...] = tuple(Application.Channel.values)  # web, app, centre
INTERNAL_PERMISSION = "feedback.view_internal_figures"
COMMENTS_SHOWN = 50


@dataclass(frozen=True)
class OnlineServices:
    online: int  # catalogue services with an online or proactive channel
    total: int  # catalogue services
    share: float | None
    codes: list[str]  # those online, in catalogue order


@dataclass(frozen=True)
class YearCount:
    year: int  # of submission, in Kazakhstan
    service: str
    agency: str
    count: int


@dataclass(frozen=True)
class ChannelShare:
    channel: str
    count: int
    share: float | None  # of all submitted applications


@dataclass(frozen=True)
class MobileCitizens:
    adults: int  # living people of the registry aged 18 or over on `on`
    in_database: int  # of them, those with an active number in the mobile citizens database
    share: float | None
    on: date


@dataclass(frozen=True)
class Figures:
    on: date
    online_services: OnlineServices
    applications_per_year: list[YearCount]  # by year, then the catalogue's service order
    channels: list[ChannelShare]  # web, app, centre
    mobile_citizens: MobileCitizens
    ratings_by_service: list[GroupRatings]
    ratings_by_agency: list[GroupRatings]
    deadlines: list[AgencyStats]
    service_names: dict[str, I18n]
    agency_names: dict[str, I18n]  # short names where the catalogue has them


@dataclass(frozen=True)
class Comment:
    agency: str
    service: str
    grade: str
    text: str
    at: datetime


@dataclass(frozen=True)
class AgencyDetail:
    agency: str
    name: I18n
    applications: int  # submitted, all years
    applications_per_year: list[YearCount]
    channels: list[ChannelShare]
    ratings: RatingStats
    services: list[GroupRatings]
    deadlines: AgencyStats | None


@dataclass(frozen=True)
class InternalFigures:
    public: Figures
    agencies: list[AgencyDetail]
    agency: str  # the agency the comments are for; "" for all
    comments: list[Comment]  # the newest first


# --- Pure parts ----------------------------------------------------------------------------------


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def adult_born_by(today: date) -> date:
    """The latest birth date of someone who is 18 on `today` (born on 29 February: adult from
    1 March in other years, as `identity.selectors.age_on` counts)."""
    return add_years(today, -ADULT_AGE)


def channel_shares(counts: dict[str, int]) -> list[ChannelShare]:
    total = sum(counts.values())
    return [
        ChannelShare(
            channel=channel,
            count=counts.get(channel, 0),
            share=share(counts.get(channel, 0), total),
        )
        for channel in CHANNELS
    ]


# --- Queries -------------------------------------------------------------------------------------


def online_services_of(services: Mapping[str, ServiceDefinition]) -> OnlineServices:
    codes = [
        code
        for code, definition in services.items()
        if any(channel in ONLINE_CHANNELS for channel in definition.channels)
    ]
    return OnlineServices(
        online=len(codes), total=len(services), share=share(len(codes), len(services)), codes=codes
    )


def online_services() -> OnlineServices:
    """Of the published catalogue."""
    return online_services_of(catalogue_get().services)


def applications_per_year() -> list[YearCount]:
    """Submitted applications per year (of submission in Kazakhstan), service and agency."""
    rows = (
        Application.objects.exclude(state=DRAFT)
        .filter(submitted_at__isnull=False)
        .annotate(year=ExtractYear("submitted_at", tzinfo=ALMATY))
        .values("year", "service__code", "agency")
        .annotate(n=Count("pk"))
        .order_by()
    )
    order = {code: position for position, code in enumerate(catalogue_get().services)}
    counts = [
        YearCount(
            year=int(row["year"]),
            service=str(row["service__code"]),
            agency=str(row["agency"]),
            count=int(row["n"]),
        )
        for row in rows
    ]
    return sorted(
        counts, key=lambda c: (c.year, order.get(c.service, len(order)), c.service, c.agency)
    )


def channel_counts_by_agency() -> dict[str, dict[str, int]]:
    """Submitted applications per agency and channel."""
    rows = (
        Application.objects.exclude(state=DRAFT)
        .filter(submitted_at__isnull=False)
        .values("agency", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        result[str(row["agency"])][str(row["channel"])] = int(row["n"])
    return result


def mobile_citizens(*, today: date) -> MobileCitizens:
    bound = PhoneBinding.objects.filter(person=OuterRef("pk"), active=True)
    totals = Person.objects.filter(
        status=Person.Status.LIVING, birth_date__lte=adult_born_by(today)
    ).aggregate(adults=Count("pk"), in_database=Count("pk", filter=Q(Exists(bound))))
    adults, in_database = int(totals["adults"]), int(totals["in_database"])
    return MobileCitizens(
        adults=adults, in_database=in_database, share=share(in_database, adults), on=today
    )


def figures_public(*, today: date | None = None) -> Figures:
    """Every public figure, as of `today` in Kazakhstan (by default the real one)."""
    return _figures_and_channels(today or local_today())[0]


def _figures_and_channels(today: date) -> tuple[Figures, dict[str, dict[str, int]]]:
    """The public figures and the per-agency channel counts their totals came from (the
    ministry's view shows those too: one aggregate, not two)."""
    catalogue = catalogue_get()
    by_agency = channel_counts_by_agency()
    totals: dict[str, int] = defaultdict(int)
    for counts in by_agency.values():
        for channel, count in counts.items():
            totals[channel] += count
    services, agencies = ratings_by_group()
    figures = Figures(
        on=today,
        online_services=online_services(),
        applications_per_year=applications_per_year(),
        channels=channel_shares(dict(totals)),
        mobile_citizens=mobile_citizens(today=today),
        ratings_by_service=services,
        ratings_by_agency=agencies,
        deadlines=agency_deadline_stats(today=today),
        service_names={code: d.name for code, d in catalogue.services.items()},
        agency_names={code: a.short_name or a.name for code, a in catalogue.agencies.items()},
    )
    return figures, by_agency


# --- The ministry's part -------------------------------------------------------------------------


def figures_internal_allowed(*, account: Account) -> bool:
    """Ministry staff: accounts given the `feedback.view_internal_figures` permission (directly
    or through a group, in the admin); superusers have every permission."""
    return bool(account.is_active and account.has_perm(INTERNAL_PERMISSION))


def _comments(agency: str) -> list[Comment]:
    # The comment is ciphertext and cannot be compared; an empty one is stored empty (length 0).
    ratings = (
        Rating.objects.annotate(comment_length=Length("comment"))
        .filter(comment_length__gt=0)
        .select_related("application__service")
    )
    if agency:
        ratings = ratings.filter(application__agency=agency)
    return [
        Comment(
            agency=rating.application.agency,
            service=rating.application.service.code,
            grade=rating.grade,
            text=rating.comment,
            at=rating.created_at,
        )
        for rating in ratings.defer(
            "application__form_data", "application__service__definition"
        ).order_by("-created_at", "-pk")[:COMMENTS_SHOWN]
    ]


def figures_internal(
    *, account: Account, agency: str = "", today: date | None = None
) -> InternalFigures:
    """The public figures and, per agency, its applications by year and channel, its ratings
    per service, its deadlines, and the newest comments (of one agency when `agency` is given).
    Anyone but ministry staff gets NotFound, as for a page that does not exist."""
    if not figures_internal_allowed(account=account):
        raise NotFound()
    catalogue = catalogue_get()
    if agency and agency not in catalogue.agencies:
        raise NotFound()
    public, channels = _figures_and_channels(today or local_today())
    ratings = {group.code: group.stats for group in public.ratings_by_agency}
    deadlines = {row.agency: row for row in public.deadlines}
    details = []
    for code, entry in catalogue.agencies.items():
        years = [row for row in public.applications_per_year if row.agency == code]
        details.append(
            AgencyDetail(
                agency=code,
                name=entry.name,
                applications=sum(row.count for row in years),
                applications_per_year=years,
                channels=channel_shares(channels.get(code, {})),
                ratings=ratings.get(code, rating_stats({})),
                services=[g for g in public.ratings_by_service if g.agency == code],
                deadlines=deadlines.get(code),
            )
        )
    return InternalFigures(
        public=public, agencies=details, agency=agency, comments=_comments(agency)
    )
