"""What the browser tests check on every key page: axe-core's rules, tap target sizes, the
header's height and the page's width. Each returns what is wrong, as readable lines."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

# axe-core from npm (MPL-2.0, see vendor/axe-core.LICENSE), for the tests only: never served.
AXE = Path(__file__).with_name("vendor") / "axe.min.js"

# WCAG 2.2 2.5.8 (AA) asks 24 × 24 CSS px of every target; the header's and the lists' targets,
# the ones a thumb goes for, get the 44 px of 2.5.5 (AAA).
TARGET_MIN = 24
TARGET_THUMB = 44
HEADER_MAX = 80

# Every visible a, button, input, select, textarea and summary, measured as a thumb meets it:
# a checkbox or radio button together with its label (a tap on either chooses it). A link inside
# running text is exempt, as 2.5.8's "Inline" exception says: it is a link displayed inline
# whose block has words of its own besides the links.
_TARGETS_JS = """
({minimum, thumb}) => {
  const interactive = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  const letters = /\\p{L}/u;
  function block(el) {
    let node = el.parentElement;
    while (node && getComputedStyle(node).display.startsWith("inline")) {
      node = node.parentElement;
    }
    return node || document.body;
  }
  function ownWords(node) {
    let text = "";
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const parent = walker.currentNode.parentElement;
      if (!parent.closest(interactive) && parent.closest("[aria-hidden=true]") === null) {
        text += walker.currentNode.textContent;
      }
    }
    return text;
  }
  function inline(el) {
    return el.matches("a") && getComputedStyle(el).display === "inline"
      && letters.test(ownWords(block(el)));
  }
  function box(el) {
    let rect = el.getBoundingClientRect();
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      for (const label of el.labels) {
        const r = label.getBoundingClientRect();
        if (r.width * r.height > rect.width * rect.height) { rect = r; }
      }
    }
    return rect;
  }
  function name(el) {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || el.name || "")
      .trim().replace(/\\s+/g, " ").slice(0, 40);
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " '" + text + "'";
  }
  const wrong = [];
  for (const el of document.querySelectorAll(interactive)) {
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) { continue; }
    const rect = el.getBoundingClientRect();
    // A visually hidden control (its label is the target) or one kept off screen until focused.
    if (rect.width <= 1 || rect.height <= 1 || rect.bottom + window.scrollY <= 0) { continue; }
    if (inline(el)) { continue; }
    const r = box(el);
    const inHeader = el.closest(".site-header") !== null;
    const inList = el.closest("li") !== null;
    const height = inHeader || inList ? thumb : minimum;
    const width = inHeader ? thumb : minimum;
    if (r.height < height - 0.5 || r.width < width - 0.5) {
      const size = `${Math.round(r.width)}×${Math.round(r.height)}`;
      wrong.push(`${name(el)}: ${size}, needs ${width}×${height}`);
    }
  }
  return wrong;
}
"""

_AXE_RUN_JS = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 4)
    .map(n => n.target.join(" ") + " — " + n.failureSummary.replace(/\\s+/g, " ").slice(0, 200))
    .join(" | "));
}
"""


@cache
def _axe_source() -> str:
    # `;0` makes the file an expression Playwright evaluates as a script.
    return AXE.read_text(encoding="utf-8") + "\n;0"


def axe_violations(page: Page) -> list[str]:
    """Every violation axe-core finds, of any impact, with all its rules but the experimental
    ones. The script goes in through the DevTools protocol: the pages' CSP allows no inline
    script, and that is as it should be."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result: list[str] = page.evaluate(_AXE_RUN_JS)
    return result


def small_targets(page: Page) -> list[str]:
    result: list[str] = page.evaluate(_TARGETS_JS, {"minimum": TARGET_MIN, "thumb": TARGET_THUMB})
    return result


def header_height(page: Page) -> float:
    height: float = page.evaluate(
        "document.querySelector('.site-header').getBoundingClientRect().height"
    )
    return height


def page_problems(page: Page, width: int) -> list[str]:
    """All that is wrong with the page open in `page`, at a viewport `width` px wide."""
    problems = [f"axe: {line}" for line in axe_violations(page)]
    problems += [f"small target: {line}" for line in small_targets(page)]
    if (height := header_height(page)) > HEADER_MAX:
        problems.append(f"header: {height:.0f} px high, more than {HEADER_MAX}")
    scroll_width: Any = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        problems.append(f"page: {scroll_width} px wide, more than {width}")
    return problems
