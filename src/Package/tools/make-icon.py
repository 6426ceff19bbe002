#!/usr/bin/env python3
"""Draws the package icon (icon.png, 128x128): a padlock over a page-table grid. Run to regenerate."""
import math, os, struct, zlib

SIZE = 128
BACKGROUND, GRID, BODY, SHACKLE, KEYHOLE = (24, 44, 74), (52, 86, 130), (240, 180, 40), (210, 214, 222), (24, 44, 74)

def color_at(x, y):
    cx = SIZE / 2
    # the lock body, with a keyhole
    if 30 <= x < 98 and 58 <= y < 112:
        if math.hypot(x - cx, y - 78) < 7 or (abs(x - cx) < 3 and 78 <= y < 98):
            return KEYHOLE
        return BODY
    # the shackle: a half ring above the body
    r = math.hypot(x - cx, y - 58)
    if 22 <= r <= 30 and (y < 58 or (y < 62 and abs(x - cx) > 22)):
        return SHACKLE
    # the page-table grid behind it
    if x % 16 == 0 or y % 16 == 0:
        return GRID
    return BACKGROUND

def png(width, height, pixel):
    rows = b"".join(b"\x00" + bytes(c for x in range(width) for c in pixel(x, y)) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "icon.png"), "wb") as f:
    f.write(png(SIZE, SIZE, color_at))
