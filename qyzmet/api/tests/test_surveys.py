"""Surveys through the API: questionnaires in the caller's language, answering from the phone
app once, results (public once closed), CSV, quota progress, interviews and CSV imports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import CommittingClient, bearer, sign_in
from qyzmet.identity.tests.factories import citizen_create
from qyzmet.surveys.actions import survey_close, survey_create
from qyzmet.surveys.models import Answer, Response, Survey
from qyzmet.surveys.tests.factories import (
    GOOD_ANSWERS,
    interviewer_create,
    open_survey,
    survey_spec,
)

pytestmark = pytest.mark.django_db

STAFF_PHONE = "+77470003344"


@pytest.fixture
def survey() -> Survey:
    return open_survey()


@pytest.fixture
def citizen(api_client: CommittingClient) -> dict[str, str]:
    with time_machine.travel(timezone.now() - timedelta(seconds=61)):  # past the code pause
        return bearer(sign_in(api_client, citizen_create().person.iin)["access_token"])


@pytest.fixture
def staff(api_client: CommittingClient) -> dict[str, str]:
    account = interviewer_create(phone=STAFF_PHONE)
    with time_machine.travel(timezone.now() + timedelta(seconds=120)):
        return bearer(sign_in(api_client, account.person.iin, phone=STAFF_PHONE)["access_token"])


def test_open_surveys_are_listed_and_a_questionnaire_comes_in_the_language_asked_for(
    api_client: CommittingClient, survey: Survey
) -> None:
    survey_create(spec=survey_spec("draft-one"))

    listed = api_client.get("/api/v1/surveys")
    questionnaire = api_client.get("/api/v1/surveys/test-survey", HTTP_ACCEPT_LANGUAGE="ru")

    assert listed.status_code == 200
    assert [(s["code"], s["title"], s["question_count"], s["answered"]) for s in listed.json()] == [
        ("test-survey", "Test survey", 4, None)
    ]
    body = questionnaire.json()
    assert (body["title"], body["status"]) == ("Тестовый опрос", "open")
    assert body["questions"][0] == {
        "code": "use", "kind": "single", "text": "Пользуетесь ли порталом?", "required": True,
        "options": [{"code": "yes", "label": "ru: Yes", "value": None},
                    {"code": "no", "label": "ru: No", "value": None}],
    }  # fmt: skip
    assert [q["kind"] for q in body["questions"]] == ["single", "multiple", "scale", "text"]
    assert api_client.get("/api/v1/surveys/draft-one").status_code == 404
    assert api_client.get("/api/v1/surveys/nope").json()["code"] == "not_found"


def test_a_citizen_answers_from_the_phone_app_once(
    api_client: CommittingClient, survey: Survey, citizen: dict[str, str]
) -> None:
    first = api_client.post_json(
        "/api/v1/surveys/test-survey/responses", {"answers": GOOD_ANSWERS}, **citizen
    )
    second = api_client.post_json(
        "/api/v1/surveys/test-survey/responses", {"answers": {"use": "no", "rating": 3}}, **citizen
    )
    listed = api_client.get("/api/v1/surveys", **citizen)

    assert first.status_code == 201, first.json()
    assert first.json()["channel"] == "app"
    response = Response.objects.get()
    assert response.person is not None and response.person.iin
    assert (response.region, response.sex, response.age_band) == ("02", "F", "30-44")
    assert Answer.objects.count() == 5
    assert second.status_code == 409
    assert second.json()["code"] == "survey_already_answered"
    assert second.json()["message"] == "You have already answered this survey. Thank you!"
    assert Response.objects.count() == 1 and Answer.objects.count() == 5
    assert listed.json()[0]["answered"] is True


def test_bad_answers_are_refused_one_problem_at_a_time_and_nothing_is_written(
    api_client: CommittingClient, survey: Survey, citizen: dict[str, str]
) -> None:
    refused = api_client.post_json(
        "/api/v1/surveys/test-survey/responses",
        {"answers": {"use": "maybe", "services": ["id", "id"], "color": "red"}},
        **citizen,
    )

    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "survey_answers_invalid"
    assert [(p["field"], p["code"]) for p in body["details"]["problems"]] == [
        ("color", "question_unknown"),
        ("use", "option_unknown"),
        ("services", "option_repeated"),
        ("rating", "answer_required"),
    ]
    assert all(p["message"] for p in body["details"]["problems"])
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_answering_needs_a_signed_in_citizen_and_an_open_survey(
    api_client: CommittingClient, survey: Survey, citizen: dict[str, str]
) -> None:
    anonymous = api_client.post_json(
        "/api/v1/surveys/test-survey/responses", {"answers": GOOD_ANSWERS}
    )
    survey_close(survey=survey)
    closed = api_client.post_json(
        "/api/v1/surveys/test-survey/responses", {"answers": GOOD_ANSWERS}, **citizen
    )

    assert anonymous.status_code == 401
    assert (closed.status_code, closed.json()["code"]) == (409, "survey_not_open")
    assert not Response.objects.exists()


def test_results_are_for_survey_staff_until_the_survey_closes(
    api_client: CommittingClient, survey: Survey, citizen: dict[str, str], staff: dict[str, str]
) -> None:
    api_client.post_json(
        "/api/v1/surveys/test-survey/responses", {"answers": GOOD_ANSWERS}, **citizen
    )

    anonymous = api_client.get("/api/v1/surveys/test-survey/results")
    citizen_sees = api_client.get("/api/v1/surveys/test-survey/results", **citizen)
    staff_sees = api_client.get("/api/v1/surveys/test-survey/results", **staff)
    survey_close(survey=survey)
    public = api_client.get("/api/v1/surveys/test-survey/results?crosstabs=false")

    assert anonymous.status_code == 404 and citizen_sees.status_code == 404
    assert staff_sees.status_code == 200
    body = public.json()
    assert (body["respondents"], body["interval"], body["survey"]["status"]) == (
        1,
        "wilson",
        "closed",
    )
    use = body["questions"][0]
    assert (use["code"], use["n"], use["skipped"]) == ("use", 1, 0)
    assert use["options"][0]["count"] == 1
    assert use["options"][0]["percent"] == 100.0
    assert use["options"][0]["ci95"] == [20.7, 100.0]
    assert staff_sees.json()["questions"][3]["texts"] == ["Fast and clear."]
    assert body["questions"][3]["texts"] is None  # open answers are for survey staff only
    assert body["crosstabs"] == []
    # The registry holds the two accounts' people only (region 02): weighting cannot work.
    assert body["weighting"]["applied"] is False
    assert body["weighting"]["code"] == "raking_sample_cell_empty"


def test_results_as_csv_and_by_region(
    api_client: CommittingClient, survey: Survey, staff: dict[str, str]
) -> None:
    for region in ("01", "02", "02"):
        created = api_client.post_json(
            "/api/v1/surveys/test-survey/interviews",
            {"region": region, "sex": "F", "age_band": "30-44", "answers": GOOD_ANSWERS},
            **staff,
        )
        assert created.status_code == 201, created.json()
    survey_close(survey=survey)

    plain = api_client.get("/api/v1/surveys/test-survey/results.csv")
    by_region = api_client.get("/api/v1/surveys/test-survey/results.csv?by=region")
    wrong = api_client.get("/api/v1/surveys/test-survey/results.csv?by=planet")

    assert plain["Content-Type"] == "text/csv; charset=utf-8"
    assert plain["Content-Disposition"] == 'attachment; filename="test-survey-results.csv"'
    rows = list(csv.DictReader(io.StringIO(plain.content.decode())))
    assert (rows[0]["question"], rows[0]["option"], rows[0]["count"], rows[0]["percent"]) == (
        "use", "yes", "3", "100.0",
    )  # fmt: skip
    regions = list(csv.DictReader(io.StringIO(by_region.content.decode())))
    assert [(r["group"], r["n"], r["option"], r["count"]) for r in regions[:4]] == [
        ("01", "1", "yes", "1"), ("01", "1", "no", "0"), ("02", "2", "yes", "2"),
        ("02", "2", "no", "0"),
    ]  # fmt: skip
    assert wrong.status_code == 422


def test_quota_progress_for_survey_staff_only(
    api_client: CommittingClient, survey: Survey, citizen: dict[str, str], staff: dict[str, str]
) -> None:
    for region, sex in (("02", "F"), ("02", "M"), ("01", "F")):
        api_client.post_json(
            "/api/v1/surveys/test-survey/interviews",
            {"region": region, "sex": sex, "age_band": "30-44", "answers": GOOD_ANSWERS},
            **staff,
        )

    progress = api_client.get("/api/v1/surveys/test-survey/quotas", **staff)

    assert progress.json() == [
        {"dimension": "region", "value": "01", "label": "Astana", "target": 2, "achieved": 1,
         "remaining": 1, "percent": 50.0},
        {"dimension": "region", "value": "02", "label": "Almaty", "target": 4, "achieved": 2,
         "remaining": 2, "percent": 50.0},
        {"dimension": "sex", "value": "F", "label": "female", "target": 3, "achieved": 2,
         "remaining": 1, "percent": 66.7},
        {"dimension": "sex", "value": "M", "label": "male", "target": 3, "achieved": 1,
         "remaining": 2, "percent": 33.3},
        {"dimension": "age_band", "value": "30-44", "label": "30-44", "target": 5,
         "achieved": 3, "remaining": 2, "percent": 60.0},
    ]  # fmt: skip
    assert api_client.get("/api/v1/surveys/test-survey/quotas", **citizen).status_code == 404
    assert api_client.get("/api/v1/surveys/test-survey/quotas").status_code == 401
    refused = api_client.post_json(
        "/api/v1/surveys/test-survey/interviews",
        {"region": "02", "sex": "F", "age_band": "30-44", "answers": GOOD_ANSWERS},
        **citizen,
    )
    assert refused.status_code == 404
    assert Response.objects.count() == 3


def test_a_csv_file_imports_its_good_rows_and_lists_the_bad_ones(
    api_client: CommittingClient, survey: Survey, citizen: dict[str, str], staff: dict[str, str]
) -> None:
    data = (
        b"region,sex,age_band,use,services,rating\n"
        b"02,F,30-44,yes,vehicle;licence,5\n"
        b"02,F,teen,yes,,5\n"
        b"01,M,60+,no,,3\n"
        b"01,M,60+,,,9\n"
    )

    def upload(auth: dict[str, str]) -> object:
        return api_client.post(
            "/api/v1/surveys/test-survey/responses/import",
            {"file": SimpleUploadedFile("answers.csv", data, content_type="text/csv")},
            **auth,
        )

    refused = upload(citizen)
    report = upload(staff)

    assert refused.status_code == 404  # type: ignore[attr-defined]
    assert report.status_code == 200  # type: ignore[attr-defined]
    assert report.json() == {  # type: ignore[attr-defined]
        "rows": 4, "imported": 2, "rejected_rows": 2,
        "rejected": [
            {"row_number": 3, "column": "age_band", "code": "age_band",
             "message": "The age band must be one of 18-29, 30-44, 45-59, 60+."},
            {"row_number": 5, "column": "use", "code": "answer_required",
             "message": "Please answer this question."},
            {"row_number": 5, "column": "rating", "code": "option_unknown",
             "message": "This is not one of the options."},
        ],
    }  # fmt: skip
    assert sorted(Response.objects.values_list("channel", "region")) == [
        ("import", "01"), ("import", "02"),
    ]  # fmt: skip
