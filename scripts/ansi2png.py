"""Render `tmux capture-pane -e -p -N` output (ANSI SGR) to a PNG, cell by cell.

Usage: python ansi2png.py SCREEN.ansi OUT.png COLS ROWS
Needs: pip install rich pillow; Debian's fonts-dejavu-core (DejaVu Sans Mono).

Every cell is drawn at column x cell width, so box lines join and the grid is exact. tmux carries SGR state across
lines, so the whole capture is parsed as one string and then split into rows.
"""
import sys

from PIL import Image, ImageDraw, ImageFont
from rich.cells import cell_len
from rich.terminal_theme import MONOKAI
from rich.text import Text

FONTS = "/usr/share/fonts/truetype/dejavu/"


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2])
    src, out, cols, rows = argv[1], argv[2], int(argv[3]), int(argv[4])
    regular = ImageFont.truetype(FONTS + "DejaVuSansMono.ttf", 16)
    bold = ImageFont.truetype(FONTS + "DejaVuSansMono-Bold.ttf", 16)
    ascent, descent = regular.getmetrics()
    cell_w, cell_h, pad = round(regular.getlength("M")), ascent + descent, 12
    theme = MONOKAI
    fg0, bg0 = tuple(theme.foreground_color), tuple(theme.background_color)

    def rgb(color, fallback):
        return fallback if color is None or color.is_default else tuple(color.get_truecolor(theme))

    def blend(a, b):
        return tuple((x + y) // 2 for x, y in zip(a, b))

    img = Image.new("RGB", (cols * cell_w + 2 * pad, rows * cell_h + 2 * pad), bg0)
    draw = ImageDraw.Draw(img)
    with open(src, encoding="utf-8") as handle:
        screen = Text.from_ansi(handle.read())
    for y, text in enumerate(screen.split("\n", allow_blank=True)[:rows]):
        styles = [None] * len(text.plain)
        for span in text.spans:  # from_ansi yields Style objects
            for i in range(span.start, span.end):
                styles[i] = span.style if styles[i] is None else styles[i] + span.style
        i, x = 0, 0
        while i < len(text.plain) and x < cols:
            j = i + 1  # keep combining marks with their base
            while j < len(text.plain) and cell_len(text.plain[j]) == 0:
                j += 1
            grapheme, style = text.plain[i:j], styles[i]
            width = max(1, cell_len(grapheme))
            fg = rgb(style.color if style else None, fg0)
            bg = rgb(style.bgcolor if style else None, bg0)
            if style is not None and style.reverse:
                fg, bg = bg, fg
            if style is not None and style.dim:
                fg = blend(fg, bg)
            px, py = pad + x * cell_w, pad + y * cell_h
            if bg != bg0:
                draw.rectangle([px, py, px + width * cell_w - 1, py + cell_h - 1], fill=bg)
            if grapheme.strip():
                font = bold if style is not None and style.bold else regular
                draw.text((px, py), grapheme, font=font, fill=fg)
            if style is not None and style.underline:
                draw.line([px, py + ascent + 1, px + width * cell_w - 1, py + ascent + 1], fill=fg)
            x, i = x + width, j
    img.save(out)
    print(f"{out}: {img.size[0]}x{img.size[1]}")


if __name__ == "__main__":
    main(sys.argv)
