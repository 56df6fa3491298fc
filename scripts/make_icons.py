"""Draw the two Teams app icons into manifest/.

The mark is a rounded square holding a double forward chevron ("fast track"):
- color.png, 192x192: white chevrons on a filled rounded square in the app's accent colour.
- outline.png, 32x32: the same mark as white lines on a transparent background, as Teams
  requires for the outline icon.

Run from anywhere: `python scripts/make_icons.py`. The output is deterministic, so running it
again leaves the committed PNGs unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

MANIFEST_DIR = Path(__file__).resolve().parents[1] / "manifest"

# Shapes are drawn this many times larger, then downscaled, for smooth anti-aliased edges.
SUPERSAMPLE = 8

# Corner radius of the rounded square, as a fraction of the icon size.
CORNER = 0.22

# Chevron vertices as fractions of the icon size; the pair is centred horizontally.
CHEVRONS = (
    ((0.31, 0.30), (0.49, 0.50), (0.31, 0.70)),
    ((0.51, 0.30), (0.69, 0.50), (0.51, 0.70)),
)


def _accent_rgb() -> tuple[int, int, int]:
    # Keep the icon in step with the manifest's accentColor rather than repeating the value.
    manifest = json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8"))
    hex_colour = manifest["accentColor"].lstrip("#")
    return tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))


def _chevrons(draw: ImageDraw.ImageDraw, size: int) -> None:
    width = round(size * 0.085)
    radius = width / 2
    for chevron in CHEVRONS:
        points = [(x * size, y * size) for x, y in chevron]
        draw.line(points, fill=255, width=width, joint="curve")
        # `joint` only rounds the inner corner; round the two open ends as well.
        for x, y in (points[0], points[-1]):
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)


def _filled_square(draw: ImageDraw.ImageDraw, size: int) -> None:
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=round(size * CORNER), fill=255)


def _square_border(draw: ImageDraw.ImageDraw, size: int) -> None:
    stroke = round(size * 0.07)
    # Inset by half a stroke so the border is not clipped at the image edge.
    inset = stroke // 2
    box = (inset, inset, size - 1 - inset, size - 1 - inset)
    draw.rounded_rectangle(box, radius=round(size * CORNER), outline=255, width=stroke)


def _coverage(size: int, *shapes: Callable[[ImageDraw.ImageDraw, int], None]) -> Image.Image:
    """Anti-aliased greyscale mask (255 = covered) of `shapes` drawn at `size` pixels."""
    big = size * SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    for shape in shapes:
        shape(draw, big)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def make_color_icon(size: int = 192) -> Image.Image:
    icon = Image.new("RGBA", (size, size), (*_accent_rgb(), 0))
    icon.putalpha(_coverage(size, _filled_square))
    white = Image.new("RGBA", (size, size), (255, 255, 255, 255))
    icon.paste(white, (0, 0), _coverage(size, _chevrons))
    return icon


def make_outline_icon(size: int = 32) -> Image.Image:
    # Every pixel is pure white and only alpha varies, so anti-aliasing never adds grey.
    icon = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    icon.putalpha(_coverage(size, _square_border, _chevrons))
    return icon


def main() -> None:
    make_color_icon().save(MANIFEST_DIR / "color.png", optimize=True)
    make_outline_icon().save(MANIFEST_DIR / "outline.png", optimize=True)
    print(f"wrote {MANIFEST_DIR / 'color.png'} and {MANIFEST_DIR / 'outline.png'}")


if __name__ == "__main__":
    main()
