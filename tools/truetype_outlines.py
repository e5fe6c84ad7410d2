"""Rewrites CFF-outline OpenType fonts (Fandol) with TrueType (quadratic)
outlines, glyph for glyph, so that PDF export subsets them as `glyf` data,
which typst's exporter does about three times faster than CFF.

    python3 tools/truetype_outlines.py SRC.otf DST.ttf

Each cubic curve becomes quadratic ones within MAX_ERR font units (1/1000
of the em: 0.004 mm at 10.5 pt) by fontTools' cu2qu; names, metrics, cmap
and layout tables are kept. Needs fontTools (`pip install fonttools`).
"""

import os
import sys

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

MAX_ERR = 1.0


def convert(src: str, dst: str) -> None:
    font = TTFont(src)
    if "CFF " not in font:
        raise SystemExit(f"{src}: no CFF outlines to convert")
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        # CFF contours run counter-clockwise, TrueType's clockwise.
        glyphs[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones maxTwilightPoints maxStorage maxFunctionDefs maxInstructionDefs "
        "maxStackElements maxSizeOfInstructions maxComponentElements"
    ).split():
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    font["head"].glyphDataFormat = 0
    # Glyph names are not needed in the file (post format 3).
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"
    # Whole or not at all: dev.sh takes a present file as converted.
    part = dst + ".part"
    font.save(part)
    os.replace(part, dst)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    convert(sys.argv[1], sys.argv[2])
