"""Draws the installed app's icons once (PNG, 192 and 512 px, also usable as maskable: the mark
sits inside the safe circle on a full-bleed background). The PNG files are committed; run again
only when the mark changes: `python -m qyzmet.portal.icons`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

FOLDER = Path(__file__).parent / "static" / "portal" / "icons"
SIZES = (192, 512)
BRAND = "#00607a"  # site.css --brand
ACCENT = "#fec50c"  # site.css --accent
INK = "#1b1f24"  # site.css --ink
SCALE = 4  # drawn larger, then reduced, for smooth edges


def icon_draw(size: int) -> Image:
    """The mark of the site header (a yellow tile with a Q) on the brand colour."""
    from PIL import Image, ImageDraw

    side = size * SCALE
    image = Image.new("RGB", (side, side), BRAND)
    draw = ImageDraw.Draw(image)
    tile = side * 0.22  # the tile stays inside the maskable safe zone (a circle of 80 %)
    draw.rounded_rectangle((tile, tile, side - tile, side - tile), radius=side * 0.08, fill=ACCENT)
    centre, radius, stroke = side / 2, side * 0.15, side * 0.05
    draw.ellipse(
        (centre - radius, centre - radius, centre + radius, centre + radius),
        outline=INK,
        width=round(stroke),
    )
    draw.line(
        (
            centre + radius * 0.35,
            centre + radius * 0.35,
            centre + radius * 1.2,
            centre + radius * 1.2,
        ),
        fill=INK,
        width=round(stroke),
    )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        image = icon_draw(size)
        image.save(FOLDER / f"icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
