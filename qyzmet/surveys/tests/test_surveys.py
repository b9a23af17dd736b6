"""The surveys domain: definitions, states, answer checks, interviews, CSV imports, population
margins, quota progress and results (the API and page tests cover the journeys)."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from qyzmet.core.errors import Conflict, NotFound, ValidationFailed
from qyzmet.identity.tests.factories import citizen_create, person_create
from qyzmet.surveys.actions import (
    QuestionSpec,
    QuotaSpec,
    survey_answer,
    survey_close,
    survey_create,
    survey_interview_record,
    survey_open,
)
from qyzmet.surveys.answers import answers_clean, demographics_problems
from qyzmet.surveys.exports import crosstabs_csv, results_csv
from qyzmet.surveys.imports import responses_import
from qyzmet.surveys.models import Answer, Response, Survey
from qyzmet.surveys.results import survey_crosstab, survey_results
from qyzmet.surveys.selectors import population_margins, quota_progress
from qyzmet.surveys.tests.factories import (
    GOOD_ANSWERS,
    interviewer_create,
    open_survey,
    survey_spec,
)

pytestmark = pytest.mark.django_db


# --- Definition and states ---------------------------------------------------------------------


def test_a_survey_is_created_as_a_draft_with_its_questions_in_order() -> None:
    survey = survey_create(spec=survey_spec())

    assert survey.status == Survey.Status.DRAFT
    assert [q.code for q in survey.questions.all()] == ["use", "services", "rating", "comment"]
    assert survey.questions.get(code="rating").options[0] == {
        "code": "5", "label": {"kk": "kk: Excellent", "ru": "ru: Excellent", "en": "Excellent"},
        "value": 5,
    }  # fmt: skip
    assert survey.quotas.count() == 5


def test_a_faulty_definition_is_refused_with_every_problem() -> None:
    spec = survey_spec(
        code="Bad Code",
        questions=(
            QuestionSpec(code="region", kind="single", text={"en": "x"}, options=()),
            QuestionSpec(code="t", kind="text", text={"kk": "a", "ru": "b", "en": "c"}),
            QuestionSpec(code="t", kind="scale", text={"kk": "a", "ru": "b", "en": "c"}),
        ),
        quotas=(QuotaSpec(dimension="region", value="99", target=0),),
    )

    with pytest.raises(ValidationFailed) as caught:
        survey_create(spec=spec)

    assert caught.value.code == "survey_definition_invalid"
    assert caught.value.details["problems"] == [
        "the survey code must be a lowercase slug",
        "question codes repeat",
        "question 'region': the code must be a lowercase slug, not "
        "('region', 'sex', 'age_band', 'respondent_id')",
        "question 'region': the text needs kk, ru and en",
        "question 'region': at least two options",
        "question 't': at least two options",
        "question 't': a scale needs at least two options with a value",
        "quota region='99': not a known value",
        "quota region='99': the target must be positive",
    ]
    assert not Survey.objects.exists()


def test_a_survey_opens_once_and_closes_once() -> None:
    survey = survey_create(spec=survey_spec(opens_on=None, closes_on=None))

    opened = survey_open(survey=survey)
    with pytest.raises(Conflict) as again:
        survey_open(survey=survey)
    closed = survey_close(survey=opened)

    assert opened.status == "open" and opened.opens_on is not None
    assert again.value.code == "survey_state"
    assert closed.status == "closed" and closed.closes_on is not None
    with pytest.raises(Conflict):
        survey_close(survey=closed)


# --- Answers ----------------------------------------------------------------------------------

BASE = {"use": "yes", "rating": "4"}


@pytest.mark.parametrize(
    ("answers", "problems"),
    [
        (GOOD_ANSWERS, []),
        ({"use": "no", "rating": 5}, []),  # a scale's number; optional questions left out
        ({"rating": "4"}, [("use", "answer_required")]),
        ({"use": "maybe", "rating": "4"}, [("use", "option_unknown")]),
        ({"use": ["yes", "no"], "rating": "4"}, [("use", "single_choice_only")]),
        ({"use": "yes;no", "rating": "4"}, [("use", "single_choice_only")]),
        ({**BASE, "services": ["id", "id"]}, [("services", "option_repeated")]),
        ({**BASE, "services": {"id": 1}}, [("services", "answer_wrong_type")]),
        ({**BASE, "comment": "x" * 2001}, [("comment", "text_too_long")]),
        ({**BASE, "comment": 5}, [("comment", "answer_wrong_type")]),
        ({**BASE, "age": "40"}, [("age", "question_unknown")]),
        ({"use": True, "rating": ""}, [("use", "answer_wrong_type"),
                                       ("rating", "answer_required")]),
    ],
)  # fmt: skip
def test_every_answer_is_checked(answers: dict[str, Any], problems: list[tuple[str, str]]) -> None:
    survey = open_survey()

    _clean, found = answers_clean(list(survey.questions.all()), answers)

    assert [(p.field, p.code) for p in found] == problems


def test_problems_are_told_in_the_language_asked_for() -> None:
    with translation.override("ru"):
        found = demographics_problems(region="21", sex="F", age_band="60+")

        assert found[0].message == "Регион должен быть двузначным кодом от 01 до 20."


def test_an_interview_records_the_demographics_given_and_the_interviewer() -> None:
    survey = open_survey()
    interviewer = interviewer_create()

    response = survey_interview_record(
        code=survey.code, interviewer=interviewer, region="05", sex="F", age_band="60+",
        answers=GOOD_ANSWERS,
    )  # fmt: skip

    assert (response.channel, response.region, response.sex, response.age_band) == (
        "interviewer", "05", "F", "60+",
    )  # fmt: skip
    assert response.interviewer == interviewer
    assert sorted(response.answers.values_list("question__code", "option", "text")) == [
        ("comment", "", "Fast and clear."),
        ("rating", "4", ""),
        ("services", "id", ""),
        ("services", "vehicle", ""),
        ("use", "yes", ""),
    ]


def test_a_bad_interview_writes_nothing_and_names_every_problem() -> None:
    survey = open_survey()

    with pytest.raises(ValidationFailed) as caught:
        survey_interview_record(
            code=survey.code, interviewer=interviewer_create(), region="21", sex="X",
            age_band="17", answers={"use": "yes"},
        )  # fmt: skip

    assert caught.value.code == "survey_answers_invalid"
    assert [(p["field"], p["code"]) for p in caught.value.details["problems"]] == [
        ("region", "region"), ("sex", "sex"), ("age_band", "age_band"),
        ("rating", "answer_required"),
    ]  # fmt: skip
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_only_survey_staff_record_interviews() -> None:
    survey = open_survey()
    citizen = citizen_create()

    with pytest.raises(NotFound):
        survey_interview_record(
            code=survey.code, interviewer=citizen, region="02", sex="F", age_band="30-44",
            answers=GOOD_ANSWERS,
        )  # fmt: skip


def test_a_minor_cannot_answer() -> None:
    survey = open_survey()
    minor = citizen_create(birth_date=date(2015, 1, 1))

    with pytest.raises(Exception) as caught:
        survey_answer(code=survey.code, account=minor, answers=GOOD_ANSWERS, channel="web")

    assert getattr(caught.value, "code", "") == "survey_adults_only"
    assert not Response.objects.exists()


def test_a_closed_survey_takes_no_answers() -> None:
    survey = survey_close(survey=open_survey())

    with pytest.raises(Conflict) as caught:
        survey_answer(
            code=survey.code, account=citizen_create(), answers=GOOD_ANSWERS, channel="web"
        )

    assert caught.value.code == "survey_not_open"


# --- CSV import -------------------------------------------------------------------------------

CSV = (
    "respondent_id,region,sex,age_band,use,services,rating,comment\n"
    "r1,02,F,30-44,yes,vehicle;id,5,Good\n"
    "r2,01,M,18-29,no,,4,\n"
    "r3,21,F,30-44,yes,,4,\n"  # row 4: bad region
    "r4,02,X,99,maybe,vehicle;vehicle,7,\n"  # row 5: five problems
    "\n"
    "r1,02,M,60+,no,,3,\n"  # row 7: the id of row 2 again
    'r6,02,M,45-59,yes,licence,dk,"Queue, then fine"\n'
    "r7,02,M,45-59,yes,,3,,extra\n"  # row 9: one field too many
)


def test_an_import_takes_the_good_rows_and_reports_each_bad_one() -> None:
    survey = open_survey()

    with translation.override("en"):
        report = responses_import(code=survey.code, data=CSV.encode())

    assert (report.rows, report.imported, report.rejected_rows) == (7, 3, 4)
    assert [(c.row_number, c.column, c.code) for c in report.rejected] == [
        (4, "region", "region"),
        (5, "sex", "sex"),
        (5, "age_band", "age_band"),
        (5, "use", "option_unknown"),
        (5, "services", "option_repeated"),
        (5, "rating", "option_unknown"),
        (7, "respondent_id", "respondent_duplicate"),
        (9, "", "columns"),
    ]
    assert report.rejected[0].message == "The region must be a two-digit code from 01 to 20."
    assert sorted(Response.objects.values_list("external_id", "channel", "region", "sex")) == [
        ("r1", "import", "02", "F"), ("r2", "import", "01", "M"), ("r6", "import", "02", "M"),
    ]  # fmt: skip
    assert sorted(
        Answer.objects.filter(response__external_id="r1").values_list("question__code", "option")
    ) == [("comment", ""), ("rating", "5"), ("services", "id"), ("services", "vehicle"),
          ("use", "yes")]  # fmt: skip
    assert Answer.objects.get(response__external_id="r6", question__code="comment").text == (
        "Queue, then fine"
    )


def test_importing_the_same_file_again_adds_nothing() -> None:
    survey = open_survey()
    responses_import(code=survey.code, data=CSV.encode())

    again = responses_import(code=survey.code, data=CSV.encode())

    assert again.imported == 0
    assert Response.objects.count() == 3


@pytest.mark.parametrize(
    ("data", "code", "details"),
    [
        (b"region,sex,use,color\n02,F,yes,red\n", "csv_header",
         {"missing": ["age_band", "rating"], "unknown": ["color"], "repeated": []}),
        (b"region,sex,age_band,use,rating,use\n", "csv_header",
         {"missing": [], "unknown": [], "repeated": ["use"]}),
        (b"", "csv_empty", {}),
        ("region;sex".encode("utf-16"), "csv_encoding", {}),
    ],
)  # fmt: skip
def test_a_file_that_does_not_fit_imports_nothing(
    data: bytes, code: str, details: dict[str, Any]
) -> None:
    survey = open_survey()

    with pytest.raises(ValidationFailed) as caught:
        responses_import(code=survey.code, data=data)

    assert (caught.value.code, caught.value.details) == (code, details)
    assert not Response.objects.exists()


def test_the_import_command_prints_the_report(tmp_path: Path) -> None:
    survey = open_survey()
    file = tmp_path / "answers.csv"
    file.write_bytes(("\ufeff" + CSV).encode())
    out = StringIO()

    call_command("surveys_import", survey.code, str(file), "--language", "en", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "rows 7, imported 3, rejected 4"
    assert lines[1] == (
        "  row 4, column region: region: The region must be a two-digit code from 01 to 20."
    )
    assert lines[-1] == "  row 9, column -: columns: The row has more fields than the header."
    with pytest.raises(CommandError, match="not_found"):
        call_command("surveys_import", "nope", str(file), stdout=StringIO())


# --- Population margins and quotas ---------------------------------------------------------


def test_population_margins_count_living_adults_on_the_day() -> None:
    day = date(2026, 6, 1)
    person_create(region="01", sex="F", birth_date=date(1990, 1, 1))  # 36
    person_create(region="01", sex="M", birth_date=date(2008, 6, 1))  # 18 that day
    person_create(region="02", sex="M", birth_date=date(2008, 6, 2))  # 17: not counted
    person_create(region="02", sex="F", birth_date=date(1966, 6, 1))  # 60
    person_create(region="02", sex="F", birth_date=date(1966, 6, 2))  # 59
    person_create(region="03", sex="M", birth_date=date(1950, 1, 1),
                  status="deceased", death_date=date(2020, 1, 1))  # fmt: skip
    person_create(region="03", sex="M", birth_date=date(1950, 1, 2),
                  status="deceased", death_date=date(2026, 7, 1))  # alive that day  # fmt: skip

    margins = population_margins(on=day)

    assert margins == {
        "region": {"01": 2, "02": 2, "03": 1},
        "sex": {"F": 3, "M": 2},
        "age_band": {"18-29": 1, "30-44": 1, "45-59": 1, "60+": 2},
    }


def test_quota_progress_counts_each_cell() -> None:
    survey = open_survey()
    interviewer = interviewer_create()
    for region, sex, band in [("02", "F", "30-44"), ("02", "M", "30-44"), ("02", "F", "60+"),
                              ("05", "F", "30-44"), ("02", "F", "18-29")]:  # fmt: skip
        survey_interview_record(code=survey.code, interviewer=interviewer, region=region,
                                sex=sex, age_band=band, answers=GOOD_ANSWERS)  # fmt: skip

    rows = [(q.dimension, q.value, q.target, q.achieved, str(q.percent), q.remaining)
            for q in quota_progress(survey=survey)]  # fmt: skip

    assert rows == [
        ("region", "01", 2, 0, "0.0", 2),
        ("region", "02", 4, 4, "100.0", 0),
        ("sex", "F", 3, 4, "133.3", 0),
        ("sex", "M", 3, 1, "33.3", 2),
        ("age_band", "30-44", 5, 3, "60.0", 2),
    ]


# --- Results -------------------------------------------------------------------------------


def _interviews(survey: Survey, rows: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    # The interviewer is in the registry too: an old man of region 01.
    interviewer = interviewer_create(birth_date=date(1950, 1, 1), region="01", sex="M")
    for region, sex, band, answers in rows:
        survey_interview_record(code=survey.code, interviewer=interviewer, region=region,
                                sex=sex, age_band=band, answers=answers)  # fmt: skip


def _population(cells: list[tuple[str, str, date, int]]) -> None:
    for region, sex, born, count in cells:
        for _ in range(count):
            person_create(region=region, sex=sex, birth_date=born)


def test_results_count_percent_and_weigh_each_question() -> None:
    survey = open_survey()
    young, old = date(2000, 1, 1), date(1950, 1, 1)
    _interviews(survey, [
        ("01", "F", "18-29", {"use": "yes", "rating": "5", "services": ["vehicle", "id"]}),
        ("01", "F", "18-29", {"use": "yes", "rating": "4", "services": ["id"]}),
        ("01", "F", "18-29", {"use": "yes", "rating": "dk", "comment": "Good"}),
        ("01", "M", "60+", {"use": "no", "rating": "3"}),
    ])  # fmt: skip
    # The population: as many old men (with the interviewer) as young women, all in region 01.
    _population([("01", "F", young, 2), ("01", "M", old, 1)])

    results = survey_results(survey=survey, language="en", include_texts=True)

    use = results.question("use")
    assert (use.n, use.skipped) == (4, 0)
    assert [(o.code, o.count, str(o.estimate.percent)) for o in use.options if o.estimate] == [
        ("yes", 3, "75.0"), ("no", 1, "25.0"),
    ]  # fmt: skip
    # Raked: the three young women weigh 2/3 each, the old man 2: "yes" is 2 of 4.
    assert results.weighting.applied and results.weighting.code == "raked"
    assert use.options[0].weighted is not None
    assert use.options[0].weighted.proportion == pytest.approx(0.5)
    assert use.n_effective == pytest.approx(16 / (3 * 4 / 9 + 4))
    services = results.question("services")
    assert (services.n, services.skipped) == (2, 2)
    assert [(o.code, o.count, str(o.estimate.percent)) for o in services.options if o.estimate] == [
        ("vehicle", 1, "50.0"), ("licence", 0, "0.0"), ("id", 2, "100.0"),
    ]  # fmt: skip
    rating = results.question("rating")
    assert rating.mean == pytest.approx(4.0)  # (5 + 4 + 3) / 3: "hard to say" has no value
    assert rating.weighted_mean == pytest.approx((5 * 2 / 3 + 4 * 2 / 3 + 3 * 2) / (4 / 3 + 2))
    comment = results.question("comment")
    assert (comment.n, comment.texts, comment.options) == (1, ["Good"], [])


def test_results_say_why_they_could_not_be_weighted() -> None:
    survey = open_survey()
    _interviews(survey, [("07", "F", "18-29", {"use": "yes", "rating": "5"})])
    _population([("01", "F", date(2000, 1, 1), 1)])

    results = survey_results(survey=survey, language="en")

    assert results.weighting.applied is False
    assert results.weighting.code == "raking_population_cell_empty"
    with translation.override("en"):  # the message is in the language it is read in
        assert results.weighting.message.startswith("Weighting is not possible")
    assert results.question("use").options[0].weighted is None


def test_crosstabs_and_csv_exports() -> None:
    survey = open_survey()
    _interviews(survey, [
        ("01", "F", "18-29", {"use": "yes", "rating": "5"}),
        ("01", "M", "18-29", {"use": "no", "rating": "5"}),
        ("02", "F", "18-29", {"use": "yes", "rating": "4"}),
    ])  # fmt: skip

    table = survey_crosstab(survey=survey, question="use", by="sex", language="en")
    results = survey_results(survey=survey, language="en", crosstabs=True)

    assert [(g.value, g.label, g.n, [(c.code, c.count, str(c.percent)) for c in g.cells])
            for g in table.groups] == [
        ("M", "male", 1, [("yes", 0, "0.0"), ("no", 1, "100.0")]),
        ("F", "female", 2, [("yes", 2, "100.0"), ("no", 0, "0.0")]),
    ]  # fmt: skip
    lines = results_csv(results).splitlines()
    assert lines[0] == (
        "question,question_text,kind,n,option,option_label,count,percent,ci95_low,ci95_high,"
        "weighted_percent,weighted_ci95_low,weighted_ci95_high"
    )
    assert lines[1] == "use,Do you use the portal?,single,3,yes,Yes,2,66.7,20.8,93.9,,,"
    assert lines[-1] == "comment,Anything else?,text,0,,,,,,,,,"
    by_region = [t for t in results.crosstabs if t.dimension == "region" and t.question == "use"]
    assert crosstabs_csv(by_region).splitlines()[1:] == [
        "use,region,01,Astana,2,yes,Yes,1,50.0,",
        "use,region,01,Astana,2,no,No,1,50.0,",
        "use,region,02,Almaty,1,yes,Yes,1,100.0,",
        "use,region,02,Almaty,1,no,No,0,0.0,",
    ]


def test_a_closed_survey_keeps_the_margins_it_was_closed_with() -> None:
    survey = open_survey()
    _interviews(survey, [
        ("01", "F", "18-29", {"use": "yes", "rating": "5"}),
        ("01", "M", "60+", {"use": "no", "rating": "5"}),
    ])  # fmt: skip
    _population([("01", "F", date(2000, 1, 1), 1)])  # with the interviewer: one of each
    closed = survey_close(survey=survey)
    _population([("01", "F", date(2000, 1, 1), 5)])  # the registry changes afterwards

    results = survey_results(survey=closed, language="en")

    assert closed.population_margins == {
        "region": {"01": 2}, "sex": {"F": 1, "M": 1}, "age_band": {"18-29": 1, "60+": 1},
    }  # fmt: skip
    weighted = results.question("use").options[0].weighted
    assert weighted is not None and weighted.proportion == pytest.approx(0.5)
