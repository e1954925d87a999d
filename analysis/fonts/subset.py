#!/usr/bin/env python3
"""Regenerates medgroup-sans.ttf, the one font the charts and the HTML report use.

The font is a subset of WenQuanYi Micro Hei (Debian package fonts-wqy-microhei; Apache-2.0, see
LICENSE-wqy-microhei.txt): printable ASCII, Latin-1, the punctuation and symbols listed below, and
every other character that occurs in analysis/src and sim (the report's and the charts' text in
both languages, and the metric and lever texts of the catalogue the report shows), in the classroom
page (cli/serve_page.html) and in the shipped scenarios (their descriptions appear on the page). Run it whenever
that text gains a character the font lacks; the tests `report::tests::font_covers_every_template_character`
(analysis) and `catalogue::the_bundled_font_draws_every_catalogue_text` (integration) fail until
you do.

    apt-get install fonts-wqy-microhei python3-fonttools
    /usr/bin/python3 analysis/fonts/subset.py
"""
import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "medgroup-sans.ttf"

# Symbols used in labels and numbers beyond Latin-1, plus common CJK punctuation.
EXTRA = "–—‘’“”•…‰′″←↑→↓↔≈≠≤≥±×÷−∑√∞·、。，：；！？（）【】《》「」『』〈〉％＋－＝～"


def wanted() -> str:
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    chars |= set(EXTRA)
    root = HERE.parent.parent
    sources = sorted((HERE.parent / "src").rglob("*.rs")) + sorted((root / "sim").rglob("*.rs"))
    # The classroom page (`medgroup serve`) and the scenario descriptions it shows.
    sources += [root / "cli" / "serve_page.html"] + sorted((root / "scenarios").rglob("*.toml"))
    for path in sources:
        chars |= {c for c in path.read_text(encoding="utf-8") if ord(c) >= 0x80}
    return "".join(sorted(chars))


def main() -> int:
    text = wanted()
    font = TTFont(SOURCE, fontNumber=0)  # face 0 of the collection: "WenQuanYi Micro Hei"
    cmap = font.getBestCmap()
    missing = [c for c in text if ord(c) not in cmap]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # smaller; ab_glyph and browsers do not need TrueType hints
    font.recalcTimestamp = False  # same input, same bytes
    sub = subset.Subsetter(options)
    sub.populate(text=text)
    sub.subset(font)
    font.save(OUT)
    print(f"{OUT.name}: {len(text) - len(missing)} characters, {OUT.stat().st_size} bytes")
    if missing:
        print("not in the source font (drawn as a box):", "".join(missing), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
