#!/usr/bin/env python3
"""Writes Journey Studio's app icons (RGBA PNGs) into this folder, with no dependencies.

A dark-blue rounded square with three nodes joined by two edges. Run it again after changing
the drawing: `python3 src-tauri/icons/generate.py`.
"""
import math
import os
import struct
import zlib

SIZES = [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]
BACKGROUND = (16, 42, 67, 255)
EDGE = (159, 179, 200, 255)
NODE = (62, 189, 147, 255)
TARGET = (240, 180, 41, 255)


def pixels(size):
    corner = 0.18 * size
    nodes = [(0.28 * size, 0.30 * size), (0.72 * size, 0.50 * size), (0.30 * size, 0.72 * size)]
    node_radius = 0.11 * size
    half_line = 0.035 * size

    def in_rounded_square(x, y):
        cx = min(max(x, corner), size - 1 - corner)
        cy = min(max(y, corner), size - 1 - corner)
        return (x - cx) ** 2 + (y - cy) ** 2 <= corner * corner

    def segment_distance(px, py, a, b):
        (ax, ay), (bx, by) = a, b
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
        return math.hypot(px - (ax + t * dx), py - (ay + t * dy))

    for y in range(size):
        row = []
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            if not in_rounded_square(x, y):
                row.append((0, 0, 0, 0))
                continue
            colour = BACKGROUND
            if (segment_distance(px, py, nodes[0], nodes[1]) < half_line
                    or segment_distance(px, py, nodes[1], nodes[2]) < half_line):
                colour = EDGE
            for i, (nx, ny) in enumerate(nodes):
                if math.hypot(px - nx, py - ny) < node_radius:
                    colour = TARGET if i == 1 else NODE
            row.append(colour)
        yield row


def write_png(path, size):
    raw = b"".join(b"\x00" + b"".join(bytes(p) for p in row) for row in pixels(size))

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, size in SIZES:
        write_png(os.path.join(here, name), size)
