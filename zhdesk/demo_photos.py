"""Demo photos drawn with Pillow (no downloaded images): a compound before, during and after
rectification, stamped the way site-inspection camera apps stamp them (address, phase, time),
with the EXIF date taken set to the event's date."""

from __future__ import annotations

import datetime as dt
import io
import random
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path(__file__).resolve().parents[1] / "resources" / "fonts" / "wqy-microhei.ttc"
SIZE = (1600, 1200)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size, index=0)


def _building(d: ImageDraw.ImageDraw, rnd: random.Random, ground: int) -> None:
    w, _ = SIZE
    x = 0
    while x < w:
        bw = rnd.randint(360, 560)
        top = rnd.randint(120, 320)
        tone = rnd.randint(170, 215)
        d.rectangle((x, top, x + bw, ground), fill=(tone, tone - 8, tone - 20), outline=(120, 110, 100), width=3)
        for wy in range(top + 40, ground - 120, 110):
            for wx in range(x + 40, x + bw - 60, 100):
                d.rectangle((wx, wy, wx + 55, wy + 70), fill=(90, 110, 130), outline=(60, 60, 60), width=2)
        x += bw + rnd.randint(0, 30)


def _clutter(d: ImageDraw.ImageDraw, rnd: random.Random, ground: int, amount: int) -> None:
    w, h = SIZE
    # A makeshift shed with the blue steel roof typical of 私搭乱建.
    if amount > 20:
        sx = rnd.randint(80, 500)
        d.rectangle((sx, ground - 230, sx + 420, ground + 40), fill=(150, 150, 145), outline=(80, 80, 80), width=3)
        roof = [(sx - 30, ground - 220), (sx + 450, ground - 260), (sx + 450, ground - 210), (sx - 30, ground - 170)]
        d.polygon(roof, fill=(40, 100, 190))
    for _ in range(amount):
        cx = rnd.randint(40, w - 40)
        cy = rnd.randint(ground - 20, h - 60)
        r = rnd.randint(25, 90)
        colour = rnd.choice([(90, 70, 50), (60, 60, 60), (40, 60, 40), (130, 110, 80), (30, 30, 35), (150, 140, 120)])
        if rnd.random() < 0.5:
            d.ellipse((cx - r, cy - r // 2, cx + r, cy + r // 2), fill=colour, outline=(20, 20, 20))
        else:
            d.rectangle((cx - r, cy - r, cx + r, cy), fill=colour, outline=(20, 20, 20), width=2)


def _workers(d: ImageDraw.ImageDraw, rnd: random.Random, ground: int) -> None:
    for _ in range(3):
        x = rnd.randint(200, SIZE[0] - 200)
        y = ground + rnd.randint(60, 200)
        d.ellipse((x - 18, y - 150, x + 18, y - 114), fill=(230, 190, 160))
        d.rectangle((x - 28, y - 112, x + 28, y - 40), fill=(250, 120, 20))  # safety vest
        d.rectangle((x - 24, y - 40, x + 24, y + 20), fill=(40, 50, 80))


def _greening(d: ImageDraw.ImageDraw, rnd: random.Random, ground: int) -> None:
    for x in range(120, SIZE[0], 360):
        d.rectangle((x, ground + 60, x + 200, ground + 120), fill=(150, 150, 150), outline=(100, 100, 100))
        for _ in range(12):
            bx = x + rnd.randint(10, 190)
            d.ellipse((bx - 30, ground + 10, bx + 30, ground + 75), fill=(60, 140 + rnd.randint(0, 40), 60))


def draw(address: str, phase: str, when: dt.datetime, seed: int) -> bytes:
    """A JPEG of a compound at `phase` ('before' | 'during' | 'after'), EXIF date taken = `when`."""
    rnd = random.Random(f"{address}-{seed}")
    im = Image.new("RGB", SIZE, (200, 220, 235))
    d = ImageDraw.Draw(im)
    ground = 820
    _building(d, random.Random(address), ground)  # same facade in every photo of the site
    d.rectangle((0, ground, SIZE[0], SIZE[1]), fill=(150, 145, 135) if phase != "after" else (175, 172, 165))
    if phase == "before":
        _clutter(d, rnd, ground, 45)
    elif phase == "during":
        _clutter(d, rnd, ground, 14)
        _workers(d, rnd, ground)
    else:
        _greening(d, rnd, ground)
    label = {"before": "整改前", "during": "整改中", "after": "整改后"}[phase]
    d.rectangle((0, SIZE[1] - 150, 900, SIZE[1]), fill=(0, 0, 0))
    d.text((30, SIZE[1] - 140), f"{address}  {label}", font=_font(52), fill=(255, 255, 255))
    d.text((30, SIZE[1] - 70), when.strftime("%Y-%m-%d %H:%M"), font=_font(40), fill=(255, 220, 80))
    exif = Image.Exif()
    exif[0x010F] = "zhdesk demo"  # Make
    exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=82, exif=exif.tobytes())
    return buf.getvalue()
