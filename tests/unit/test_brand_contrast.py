"""The brand colours keep white text readable (WCAG AA: 4.5:1, spec §16). axe-core checks
the pages, but not the fixed header, whose background it cannot see past the page under it
(it reports the header's texts as "needs review"); this checks the header's colours."""

from __future__ import annotations

import pytest

from ui.frame import BRAND

AA = 4.5


def luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("name", sorted(BRAND))
def test_white_text_on_a_brand_colour_is_readable(name: str) -> None:
    assert contrast(BRAND[name], "#ffffff") >= AA, f"{name} {BRAND[name]}"


def test_the_brand_blue_as_text_stays_readable_on_its_own_focus_tint() -> None:
    # A focused or hovered flat button lays 15 % of its own colour over white.
    blue = BRAND["primary"]
    tint = "#" + "".join(f"{round(255 * 0.85 + int(blue[i : i + 2], 16) * 0.15):02x}" for i in (1, 3, 5))
    assert contrast(blue, tint) >= AA

