"""axe-core run inside a page of the shared e2e harness's Chromium (tests/e2e/e2e_support.py).

The engine is axe-core 4.14.1, the file `axe.min.js` of the npm package `axe-core@4.14.1`
committed as tests/e2e/axe/axe.min.js (its MPL-2.0 notice is the file's first lines): the
Python packages that bundle axe carry older engines (4.9–4.12), and the test must not
reach a CDN. To move to another version: `npm pack axe-core@X.Y.Z`, copy `package/axe.min.js`
over the committed one, and change AXE_VERSION below (the test checks the two agree)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from e2e_support import Browser

AXE_FILE = Path(__file__).resolve().parent / "axe" / "axe.min.js"
AXE_VERSION = "4.14.1"
# What the issue measured: WCAG 2.0/2.1 levels A and AA, and Deque's best practices.
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")

# The one option changed from axe's defaults: the `region` rule (best practice: all content
# inside landmarks) already counts a dialog, which Quasar moves to the end of <body>, as a
# region of its own; a popup menu and a select's list of options are moved there the same
# way though they belong to the button or field that opened them, so they count as
# regions too. Every other rule still checks them (roles of the menu and its items,
# names, contrast). Kept on review (issue 18's follow-up): `region` is a Deque best practice,
# not a WCAG criterion; the menu-button and select patterns of the ARIA Authoring Practices
# tie the popup to its trigger (aria-controls, focus moved into it, Escape back), which is
# how a screen reader reaches it; and keeping it in a landmark would mean undoing Quasar's
# move to <body>, which its positioning and stacking need. Only role=menu / role=listbox
# popups, present only while open, are exempted; page content outside a landmark still fails.
REGION_MATCHER = "dialog, [role=dialog], [role=alertdialog], svg, [role=menu], [role=listbox]"

_RUN = """
const [tags, regionMatcher, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const options = {
  runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations'],
  checks: {region: {options: {regionMatcher}}},
};
axe.run(document, options)
  .then((result) => done({version: axe.version, violations: result.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary})),
  }))}))
  .catch((error) => done({error: String(error)}));
"""


@cache
def axe_source() -> str:
    return AXE_FILE.read_text()


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    nodes: tuple[dict[str, str], ...]

    def describe(self) -> str:
        lines = [f"{self.rule} ({self.impact}): {self.help}"]
        for node in self.nodes:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            lines.extend(f"      {line}" for line in (node.get("summary") or "").splitlines()[:4])
        return "\n".join(lines)


def run_axe(browser: Browser) -> tuple[str, list[Violation]]:
    """(axe's version, the violations in the page as it is now, dialogs and menus included)."""
    if not browser.js("return typeof window.axe === 'object'"):
        browser.js(axe_source())
    browser.driver.set_script_timeout(60)
    answer: dict[str, Any] = browser.driver.execute_async_script(_RUN, list(TAGS), REGION_MATCHER)
    if "error" in answer:
        raise AssertionError(f"axe-core failed in the page: {answer['error']}")
    violations = [
        Violation(v["rule"], str(v["impact"]), v["help"], tuple(v["nodes"])) for v in answer["violations"]
    ]
    return str(answer["version"]), violations
