"""Reading rendered pages in tests as a reader and a screen reader do: elements by id, the error
summary's links, and the dates a page shows."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "source", "option"})


class Page(HTMLParser):
    """The elements of a page by id (their attributes and text), and the summary's links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str]] = {}
        self.text: dict[str, str] = {}
        self.summary: dict[str, str] = {}
        self.links: list[tuple[str, str]] = []
        self._stack: list[tuple[str, str, bool]] = []  # (tag, id, is the summary)
        self._link = False
        self.feed(html)

    def _in_summary(self) -> bool:
        return any(summary for _, _, summary in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        summary = "data-error-summary" in attributes
        if summary:
            self.summary = attributes
        if tag == "a" and self._in_summary():
            self._link = True
            self.links.append((attributes.get("href", ""), ""))
        if "id" in attributes:
            self.by_id[attributes["id"]] = attributes | {"tag": tag}
            self.text[attributes["id"]] = ""
        if tag not in VOID:
            self._stack.append((tag, attributes.get("id", ""), summary))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._link = False
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break

    def handle_data(self, data: str) -> None:
        for _, element_id, _ in self._stack:
            if element_id:
                self.text[element_id] += data
        if self._link:
            href, text = self.links[-1]
            self.links[-1] = (href, text + data)


def field_in_error(page: Page, field_id: str, message: str, *, hint: bool) -> None:
    """The field is invalid, names its error message (and its hint, if it has one), and the
    error summary links to it with the message."""
    field = page.by_id[field_id]
    assert field["aria-invalid"] == "true"
    described = field["aria-describedby"].split()
    assert f"{field_id}-error" in described
    assert (f"{field_id}-hint" in described) is hint
    assert message in page.text[f"{field_id}-error"]
    assert (f"#{field_id}", message) in page.links


def summary_shown(page: Page, heading: str = "There is a problem") -> None:
    """The error summary is an alert that forms.js can focus, with its heading first."""
    assert page.summary["role"] == "alert"
    assert page.summary["tabindex"] == "-1"
    assert page.text["error-summary"].strip().startswith(heading)


MONTHS = {
    "kk": "қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйек|қазан|қараша|желтоқсан",
    "ru": "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря",
    "en": r"Jan\.|Feb\.|March|April|May|June|July|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.",
}
# the one date format of each language: "28 қараша 2026 ж.", "28 ноября 2026 г.", "Nov. 28, 2026"
ONE = {
    "kk": re.compile(rf"\b\d{{1,2}} (?:{MONTHS['kk']}) \d{{4}} ж\."),
    "ru": re.compile(rf"\b\d{{1,2}} (?:{MONTHS['ru']}) \d{{4}} г\."),
    "en": re.compile(rf"(?:{MONTHS['en']}) \d{{1,2}}, \d{{4}}"),
}
# any other way of writing a date
OTHERS = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")


def page_text(html: str) -> str:
    """What a reader sees: the page without its tags, scripts and attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def one_date_format(html: str, language: str, *, at_least: int) -> None:
    text = page_text(html)
    assert OTHERS.findall(text) == []
    assert len(ONE[language].findall(text)) >= at_least, text
