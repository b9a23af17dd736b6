"""Demo data: the survey behind the project (TALAP Center for Applied Research, 2021; the article
in seed/article-ru.txt), loaded as a closed survey with 450 respondents whose answers give the
published percentages to one decimal (339 of 450 = 75.3% use the portal themselves).

The respondents are synthetic but plausible and deterministic: regions in proportion to their
population, a little more women than men, the four age bands; answers follow a per-question
"digital affinity" (younger respondents a little more positive) so that cross-tabulations look
like a real survey, while each question's totals are exactly the article's.

42.5% "rather trust" cannot be reached with 450 answers (191/450 = 42.4%, 192/450 = 42.7%), so
the trust question is optional here and 69 respondents who do not use the portal skipped it:
156, 162, 16, 9 and 38 of 381 give 40.9, 42.5, 4.2, 2.4 and 10.0%.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from django.db import transaction

from qyzmet.demo.people import REGIONS as REGION_POPULATION
from qyzmet.surveys.actions import (
    OptionSpec,
    QuestionSpec,
    QuotaSpec,
    SurveySpec,
    responses_write,
    survey_close,
    survey_create,
    survey_open,
)
from qyzmet.surveys.answers import answers_clean
from qyzmet.surveys.models import AGE_BAND_CODES, Response, Survey

DEMO_SURVEY_CODE = "egov-2021"
RESPONDENTS = 450
SEED = 2021


def _t(kk: str, ru: str, en: str) -> dict[str, str]:
    """A text in the three languages the survey is put in."""
    return {"kk": kk, "ru": ru, "en": en}


def _o(code: str, kk: str, ru: str, en: str, value: int | None = None) -> OptionSpec:
    return OptionSpec(code=code, label=_t(kk, ru, en), value=value)


HARD_TO_SAY = _t("Жауап беруге қиналамын", "Затрудняюсь ответить", "Hard to say")


QUESTIONS: tuple[QuestionSpec, ...] = (
    QuestionSpec(
        code="awareness",
        kind="single",
        text=_t(
            "«Электрондық үкімет» eGov.kz порталы туралы білесіз бе?",
            "Знаете ли вы о портале «электронного правительства» eGov.kz?",
            "Do you know the eGov.kz e-government portal?",
        ),
        options=(
            _o("know", "Иә, білемін", "Да, знаю", "Yes, I know it"),
            _o("heard", "Бір нәрсе естігенмін", "Что-то слышал(а)", "I have heard something"),
            OptionSpec(code="hard", label=HARD_TO_SAY),
        ),
    ),
    QuestionSpec(
        code="use",
        kind="single",
        text=_t(
            "eGov.kz порталының қызметтерін пайдаланасыз ба?",
            "Пользуетесь ли вы услугами портала eGov.kz?",
            "Do you use the services of the eGov.kz portal?",
        ),
        options=(
            _o(
                "self",
                "Иә, өзім пайдаланамын",
                "Да, пользуюсь самостоятельно",
                "Yes, I use them myself",
            ),
            _o(
                "others",
                "Мен үшін қызметтерді балаларым, достарым немесе таныстарым алады",
                "Услуги для меня получают дети, друзья или знакомые",
                "My children, friends or acquaintances get the services for me",
            ),
            _o("none", "Пайдаланбаймын", "Не пользуюсь", "I do not use them"),
        ),
    ),
    QuestionSpec(
        code="trust",
        kind="single",
        required=False,
        text=_t(
            "eGov.kz сервисіне сенесіз бе?",
            "Доверяете ли вы сервису eGov.kz?",
            "Do you trust the eGov.kz service?",
        ),
        options=(
            _o("full", "Толық сенемін", "Полностью доверяю", "I trust it fully"),
            _o("rather", "Сенетін шығармын", "Скорее доверяю", "I rather trust it"),
            _o("rather_not", "Сенбейтін шығармын", "Скорее не доверяю", "I rather do not trust it"),
            _o("not", "Сенбеймін", "Не доверяю", "I do not trust it"),
            OptionSpec(code="hard", label=HARD_TO_SAY),
        ),
    ),
    QuestionSpec(
        code="data_safety",
        kind="single",
        text=_t(
            "Сіздің ойыңызша, eGov.kz порталындағы дербес деректеріңіз қаншалықты қорғалған?",
            "Насколько, по-вашему, защищены ваши персональные данные на портале eGov.kz?",
            "How safe do you think your personal data are on the eGov.kz portal?",
        ),
        options=(
            _o("safe", "Толық қауіпсіздікте", "В полной безопасности", "Completely safe"),
            _o(
                "satisfactory",
                "Қауіпсіздік деңгейі қанағаттанарлық",
                "Уровень безопасности удовлетворительный",
                "The level of safety is satisfactory",
            ),
            _o(
                "doubt",
                "Қорғаудың сенімділігіне күмәнданамын",
                "Сомневаюсь в надёжности защиты",
                "I doubt the protection is reliable",
            ),
            _o(
                "leak",
                "Өзім туралы құпия ақпараттың таралып кетуіне тап болдым",
                "Лично сталкивался(ась) с утечкой информации о себе",
                "Information about me has leaked",
            ),
        ),
    ),
    QuestionSpec(
        code="mobile_db",
        kind="single",
        text=_t(
            "Сіз «мобильді азаматтар базасында» тіркелгенсіз бе?",
            "Зарегистрированы ли вы в «базе мобильных граждан»?",
            "Are you registered in the mobile citizens database?",
        ),
        options=(_o("yes", "Иә", "Да", "Yes"), _o("no", "Жоқ", "Нет", "No")),
    ),
    QuestionSpec(
        code="app_convenience",
        kind="scale",
        text=_t(
            "eGov.kz мобильді қосымшасы арқылы мемлекеттік қызметтерді алудың "
            "ыңғайлылығын қалай бағалайсыз?",
            "Как вы оцениваете удобство получения госуслуг через мобильное приложение eGov.kz?",
            "How do you rate the convenience of getting public services through the "
            "eGov.kz mobile app?",
        ),
        options=(
            _o("5", "Өте жақсы", "Отлично", "Excellent", 5),
            _o("4", "Жақсы", "Хорошо", "Good", 4),
            _o("3", "Қанағаттанарлық", "Удовлетворительно", "Satisfactory", 3),
            _o("2", "Нашар", "Плохо", "Bad", 2),
            OptionSpec(code="dk", label=HARD_TO_SAY),
        ),
    ),
)

# The article's figures as counts: (option code, respondents), options in the order of how
# positive they are (the most positive go to the respondents with the highest affinity).
COUNTS: dict[str, tuple[tuple[str, int], ...]] = {
    "awareness": (("know", 413), ("heard", 35), ("hard", 2)),  # 91.8 / 7.8 / 0.4
    "use": (("self", 339), ("others", 39), ("none", 72)),  # 75.3 / 8.7 / 16.0
    "trust": (("full", 156), ("rather", 162), ("hard", 38), ("rather_not", 16), ("not", 9)),
    "data_safety": (("safe", 224), ("satisfactory", 182), ("doubt", 37), ("leak", 7)),
    "mobile_db": (("yes", 322), ("no", 128)),  # 71.6 / 28.4
    "app_convenience": (("5", 114), ("4", 204), ("3", 96), ("dk", 30), ("2", 6)),
}
TRUST_SKIPPED = 69

SEX_COUNTS = (("M", 212), ("F", 238))
AGE_COUNTS = dict(zip(AGE_BAND_CODES, (110, 150, 115, 75), strict=True))
AGE_AFFINITY = dict(zip(AGE_BAND_CODES, (1.2, 0.8, 0.0, -0.9), strict=True))


def _region_counts(total: int) -> dict[str, int]:
    """`total` split over the regions by population (largest remainder)."""
    weights = {code: weight for code, (weight, _settlements) in REGION_POPULATION.items()}
    whole = sum(weights.values())
    exact = {code: total * weight / whole for code, weight in weights.items()}
    counts = {code: int(share) for code, share in exact.items()}
    rest = sorted(exact, key=lambda code: exact[code] - counts[code], reverse=True)
    for code in rest[: total - sum(counts.values())]:
        counts[code] += 1
    return counts


def _spread(counts: Sequence[tuple[str, int]]) -> list[str]:
    return [value for value, count in counts for _ in range(count)]


def demo_respondents() -> list[dict[str, str]]:
    """The 450 respondents' demographics and answers (option codes), deterministic."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    regions = _spread(sorted(_region_counts(RESPONDENTS).items()))
    sexes = _spread(SEX_COUNTS)
    ages = _spread(list(AGE_COUNTS.items()))
    rng.shuffle(sexes)
    rng.shuffle(ages)
    people: list[dict[str, str]] = [
        {"respondent_id": f"talap-{i:03d}", "region": r, "sex": s, "age_band": a}
        for i, (r, s, a) in enumerate(zip(regions, sexes, ages, strict=True), 1)
    ]

    def ranked(pool: Sequence[int]) -> list[int]:
        """`pool` (indexes) from the most to the least positive, for the next question."""
        noise = {i: rng.gauss(0.0, 1.0) for i in pool}
        return sorted(pool, key=lambda i: AGE_AFFINITY[people[i]["age_band"]] + noise[i])[::-1]

    def assign(question: str, pool: Sequence[int], counts: Sequence[tuple[str, int]]) -> None:
        for i, value in zip(ranked(pool), _spread(counts), strict=True):
            people[i][question] = value

    everyone = range(RESPONDENTS)
    assign("awareness", everyone, COUNTS["awareness"])
    # Those who use the portal themselves know it; the others are drawn from everyone else.
    self_count = dict(COUNTS["use"])["self"]
    knowing = [i for i in everyone if people[i]["awareness"] == "know"]
    users = set(ranked(knowing)[:self_count])
    for i in users:
        people[i]["use"] = "self"
    assign("use", [i for i in everyone if i not in users], COUNTS["use"][1:])
    # Most of those who do not use the portal skipped the question on trust.
    non_users = [i for i in everyone if people[i]["use"] == "none"]
    skipped = set(ranked(non_users)[-TRUST_SKIPPED:])
    assign("trust", [i for i in everyone if i not in skipped], COUNTS["trust"])
    for question in ("data_safety", "mobile_db", "app_convenience"):
        assign(question, everyone, COUNTS[question])
    return people


def _spec() -> SurveySpec:
    regions = _region_counts(RESPONDENTS)
    quotas = [QuotaSpec(dimension="region", value=code, target=n) for code, n in regions.items()]
    quotas += [QuotaSpec(dimension="sex", value=sex, target=n) for sex, n in SEX_COUNTS]
    quotas += [QuotaSpec(dimension="age_band", value=b, target=n) for b, n in AGE_COUNTS.items()]
    return SurveySpec(
        code=DEMO_SURVEY_CODE,
        title=_t(
            "«Электрондық үкімет» порталы туралы әлеуметтік сауалнама (2021)",
            "Социологический опрос о портале «электронного правительства» (2021)",
            "Sociological survey of the e-government portal (2021)",
        ),
        intro=_t(
            "«TALAP» қолданбалы зерттеулер орталығы» ҚҚ зерттеуі: елдің әр өңірінен "
            "450 респондент. Порталды білу, пайдалану, сенім, деректер қауіпсіздігі және "
            "мобильді қосымшаның ыңғайлылығы.",
            "Исследование ОФ «Центр прикладных исследований «TALAP»: 450 респондентов "
            "из разных регионов страны. Осведомлённость о портале, пользование, доверие, "
            "безопасность данных и удобство мобильного приложения.",
            "A study by the TALAP Center for Applied Research: 450 respondents from all "
            "regions of the country. Awareness of the portal, use, trust, data safety and the "
            "convenience of the mobile app.",
        ),
        questions=QUESTIONS,
        quotas=quotas,
        opens_on=date(2021, 10, 1),
        closes_on=date(2021, 10, 29),
        sample_size=RESPONDENTS,
    )


OPEN_SURVEY_CODE = "egov-2026"
OPEN_INTERVIEWED = 120  # of the sample of 450: the quotas show progress, the survey is open
OPEN_QUESTIONS: tuple[QuestionSpec, ...] = (
    *(q for q in QUESTIONS if q.code in ("use", "trust", "app_convenience")),
    QuestionSpec(
        code="services_used",
        kind="multiple",
        required=False,
        text=_t(
            "Соңғы жылы порталда қандай қызметтерді алдыңыз?",
            "Какие услуги вы получали на портале за последний год?",
            "Which services did you receive on the portal in the last year?",
        ),
        options=(
            _o("certificates", "Анықтамалар", "Справки", "Certificates"),
            _o(
                "vehicles",
                "Көлік және жүргізуші куәлігі",
                "Транспорт и водительские права",
                "Vehicles and driving licences",
            ),
            _o("family", "Бала туу, неке", "Рождение ребёнка, брак", "Birth, marriage"),
            _o("payments", "Төлемдер мен айыппұлдар", "Платежи и штрафы", "Payments and fines"),
        ),
    ),
    QuestionSpec(
        code="suggestion",
        kind="text",
        required=False,
        text=_t(
            "Порталда нені жақсартар едіңіз?",
            "Что бы вы улучшили на портале?",
            "What would you improve on the portal?",
        ),
    ),
)


def _open_spec() -> SurveySpec:
    closed = _spec()
    return SurveySpec(
        code=OPEN_SURVEY_CODE,
        title=_t(
            "Порталдың қызметтері туралы пікіріңіз (2026)",
            "Ваше мнение об услугах портала (2026)",
            "Your opinion of the portal's services (2026)",
        ),
        intro=_t(
            "2021 жылғы зерттеудің жалғасы: бірнеше минут алатын бес сұрақ.",
            "Продолжение исследования 2021 года: пять вопросов на несколько минут.",
            "A follow-up of the 2021 study: five questions, a few minutes.",
        ),
        questions=OPEN_QUESTIONS,
        quotas=closed.quotas,
        sample_size=RESPONDENTS,
    )


def _open_survey_load() -> Survey:
    """A survey open now, to answer on the web or in the app, with its first interviews in
    (the 2021 respondents' profiles and answers) so that the quotas show progress."""
    existing = Survey.objects.filter(code=OPEN_SURVEY_CODE).first()
    if existing is not None:
        return existing
    survey = survey_open(survey=survey_create(spec=_open_spec()))
    questions = list(survey.questions.all())
    rows = []
    for person in demo_respondents()[:OPEN_INTERVIEWED]:
        answers = {q.code: person[q.code] for q in questions if q.code in person}
        clean, problems = answers_clean(questions, answers)
        if problems:
            raise ValueError(f"demo respondent {person['respondent_id']}: {problems}")
        rows.append(({**person, "respondent_id": f"2026-{person['respondent_id']}"}, clean))
    responses_write(survey=survey, rows=rows, channel=Response.Channel.INTERVIEWER)
    return survey


def surveys_demo_load() -> Survey:
    """The article's survey, closed, with its 450 respondents, and a follow-up open now.
    Idempotent: a second run finds them and changes nothing."""
    with transaction.atomic():
        _open_survey_load()
    existing = Survey.objects.filter(code=DEMO_SURVEY_CODE).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        survey = survey_open(survey=survey_create(spec=_spec()))
        questions = list(survey.questions.all())
        rows = []
        for person in demo_respondents():
            answers = {q.code: person[q.code] for q in questions if q.code in person}
            clean, problems = answers_clean(questions, answers)
            if problems:  # the data above is wrong: fail loudly, load nothing
                raise ValueError(f"demo respondent {person['respondent_id']}: {problems}")
            rows.append((person, clean))
        responses_write(survey=survey, rows=rows, channel=Response.Channel.INTERVIEWER)
        return survey_close(survey=survey)
