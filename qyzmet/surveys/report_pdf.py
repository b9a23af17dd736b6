"""The printable report of a survey: a PDF with a table and a chart per question.

Charts are drawn by matplotlib (Agg, no display) as SVG with the glyphs as paths, so the PDF
needs no font for them; the text around them is laid out by WeasyPrint with the vendored DejaVu
Sans of the documents app, as result documents are.
"""

from __future__ import annotations

import base64
import io
import os
import tempfile
import textwrap
from pathlib import Path

from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import override

from qyzmet.documents.rendering import FONTS_DIR, font_face_css
from qyzmet.surveys.results import QuestionResult, SurveyResults

# matplotlib writes a font cache under its configuration directory; a home directory may not be
# writable where the portal runs.
os.environ.setdefault("MPLCONFIGDIR", str(Path(tempfile.gettempdir()) / "qyzmet-matplotlib"))

BAR = "#00607a"
WEIGHTED_BAR = "#86b7c6"


def chart_svg(question: QuestionResult, *, language: str) -> str:
    return chart_image(question, language=language, image_format="svg").decode("utf-8")


def chart_image(question: QuestionResult, *, language: str, image_format: str = "svg") -> bytes:
    """A horizontal bar chart of the question's percentages with their 95% intervals (and the
    weighted percentages next to them when there are any), as SVG (or PNG) bytes."""
    import matplotlib  # heavy import: only when a report is drawn

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    options = [o for o in question.options if o.estimate is not None]
    labels = [textwrap.fill(o.label, 34) for o in options]
    weighted = all(o.weighted is not None for o in options) and bool(options)
    rows = max(len(options), 1)
    with matplotlib.rc_context({"svg.fonttype": "path", "font.family": "DejaVu Sans"}):
        figure = Figure(figsize=(6.6, 0.42 * rows * (1.4 if weighted else 1) + 1.0))
        axes = figure.add_subplot()
        positions = list(range(rows))[::-1]
        height = 0.38 if weighted else 0.6
        shift = height / 2 if weighted else 0.0
        with override(language):
            plain_label, weighted_label = _("Unweighted"), _("Weighted")
        values = [float(o.estimate.percent) for o in options if o.estimate]
        errors = [
            [float(o.estimate.percent - o.estimate.ci_low) for o in options if o.estimate],
            [float(o.estimate.ci_high - o.estimate.percent) for o in options if o.estimate],
        ]
        bars = axes.barh(
            [p + shift for p in positions[: len(options)]], values, height=height, color=BAR,
            xerr=errors, ecolor="#333", capsize=3, label=plain_label,
        )  # fmt: skip
        axes.bar_label(bars, labels=[f"{v:.1f}" for v in values], padding=14, fontsize=8)
        if weighted:
            shares = [float(o.weighted.percent) for o in options if o.weighted]
            axes.barh(
                [p - shift for p in positions[: len(options)]], shares, height=height,
                color=WEIGHTED_BAR, label=weighted_label,
            )  # fmt: skip
            axes.legend(
                loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8, frameon=False
            )
        axes.set_yticks(positions[: len(options)], labels, fontsize=8)
        axes.set_xlim(0, 100)
        axes.set_xlabel("%", fontsize=8)
        axes.tick_params(axis="x", labelsize=8)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format=image_format, dpi=110)
    return buffer.getvalue()


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def survey_report_html(results: SurveyResults) -> str:
    language = results.language
    items = [
        (q, _data_uri(chart_svg(q, language=language)) if q.options and q.n else "")
        for q in results.questions
    ]
    with override(language):
        return get_template("surveys/report_pdf.html").render(
            {
                "results": results,
                "survey": results.survey,
                "title": results.survey.title_in(language),
                "intro": results.survey.intro_in(language),
                "items": items,
                "language": language,
                "font_css": font_face_css(),
            }
        )


def survey_report_pdf(results: SurveyResults) -> bytes:
    from weasyprint import HTML  # heavy import (Pango): only when a report is printed

    pdf: bytes = HTML(string=survey_report_html(results), base_url=str(FONTS_DIR)).write_pdf()
    return pdf
