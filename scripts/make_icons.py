"""Draws the portal's home-screen icons (ui/static/icons/*.png): a white check mark on the
brand blue, with the mark inside the central 80 % so a "maskable" crop keeps it whole.
Pure Python (zlib), no imaging library. Run again after a change of the brand colour:
`python scripts/make_icons.py`."""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ui.webapp import ICON_SIZES, ICONS_DIR, THEME_COLOR  # noqa: E402

WHITE = (255, 255, 255)
# The check mark as a polyline in units of the icon's side.
MARK = ((0.28, 0.52), (0.43, 0.67), (0.73, 0.35))
STROKE = 0.085


def _blue() -> tuple[int, int, int]:
    value = THEME_COLOR.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _distance_to_segment(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    cx, cy = ax + t * dx, ay + t * dy
    return float(((px - cx) ** 2 + (py - cy) ** 2) ** 0.5)


def pixels(size: int) -> list[bytes]:
    blue = _blue()
    rows = []
    for y in range(size):
        row = bytearray([0])  # PNG filter type "none"
        for x in range(size):
            u, v = (x + 0.5) / size, (y + 0.5) / size
            distance = min(_distance_to_segment(u, v, MARK[i], MARK[i + 1]) for i in range(len(MARK) - 1))
            # One pixel of anti-aliasing at the stroke's edge.
            cover = max(0.0, min(1.0, (STROKE / 2 - distance) * size + 0.5))
            row += bytes(round(w * cover + b * (1 - cover)) for w, b in zip(WHITE, blue, strict=True))
        rows.append(bytes(row))
    return rows


def png(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    data = zlib.compress(b"".join(pixels(size)), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def main() -> None:
    ICONS_DIR.mkdir(parents=True, exist_ok=True)
    for size in ICON_SIZES:
        (ICONS_DIR / f"icon-{size}.png").write_bytes(png(size))


if __name__ == "__main__":
    main()
