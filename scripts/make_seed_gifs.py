#!/usr/bin/env python3
"""Draw barkd's bundled seed catalog: small animated cartoon dog GIFs.

Every GIF is drawn frame by frame from simple shapes (ellipses, capsules, polygons
with a dark outline) and written by the GIF89a encoder below (LZW, looping
NETSCAPE2.0 extension, per-frame delta rectangles with a transparent index).
Only the Python standard library is used, so the script runs on any Python 3.11+
with nothing installed:

    python3 scripts/make_seed_gifs.py            # (re)write Sources/Persistence/Seed
    python3 scripts/make_seed_gifs.py --check    # exit 1 if the committed files differ
    python3 scripts/make_seed_gifs.py --out DIR  # write somewhere else

The output is deterministic: no clock, no unseeded randomness (scatter uses a
fixed-seed LCG), the palette is sorted, so two runs give byte-identical files
(PYTHONHASHSEED does not matter). It writes ``<out>/gifs/<slug>.gif`` and
``<out>/catalog.json`` (a JSON array of ``{"file", "title", "width", "height",
"sha256"}`` in the order of CATALOG below). Every GIF must stay under 100 KB; the
script refuses to write one that is not.

Checking the output with an independent decoder (Debian's imagemagick; note
that frames after the first are delta rectangles, so coalesce before looking):

    identify -format '%n %W %H %T\\n' Sources/Persistence/Seed/gifs/x.gif
    convert Sources/Persistence/Seed/gifs/x.gif -coalesce /tmp/x-%02d.png

To add a dog: write a ``gif_<name>()`` returning (frames, delay in 1/100 s),
append it to CATALOG, run the script, look at the frames, commit the result.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys

WIDTH, HEIGHT = 200, 160
OUTLINE = (46, 32, 26)
OUTLINE_W = 1.9
MAX_BYTES = 100 * 1024

# ---------------------------------------------------------------------------
# Colours
# ---------------------------------------------------------------------------


def rgb(hexstr: str) -> tuple[int, int, int]:
    hexstr = hexstr.lstrip("#")
    return (int(hexstr[0:2], 16), int(hexstr[2:4], 16), int(hexstr[4:6], 16))


def shade(c: tuple[int, int, int], f: float) -> tuple[int, int, int]:
    """Darken (f < 1) or lighten (f > 1) a colour deterministically."""
    if f <= 1:
        return tuple(max(0, min(255, int(round(v * f)))) for v in c)  # type: ignore[return-value]
    return tuple(max(0, min(255, int(round(v + (255 - v) * (f - 1))))) for v in c)  # type: ignore[return-value]


WHITE = rgb("ffffff")
BLACK = rgb("1e1614")
NOSE = rgb("2a201e")
EYE = rgb("221a18")
PINK = rgb("f28b9b")
MOUTH = rgb("7a2430")
RED = rgb("e0473c")
GOLD = rgb("f2c230")
GRASS = rgb("7cc36a")
GRASS_DARK = rgb("5aa64c")


class Rng:
    """A tiny fixed-seed LCG so any 'random' scatter is reproducible forever."""

    def __init__(self, seed: int) -> None:
        self.state = seed & 0xFFFFFFFF

    def next(self) -> float:
        self.state = (1664525 * self.state + 1013904223) & 0xFFFFFFFF
        return self.state / 4294967296.0

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.next()


# ---------------------------------------------------------------------------
# Geometry: affine transforms and shapes with signed distance functions
# ---------------------------------------------------------------------------


class Affine:
    """x' = a*x + b*y + c ; y' = d*x + e*y + f (y points down)."""

    __slots__ = ("a", "b", "c", "d", "e", "f")

    def __init__(self, a=1.0, b=0.0, c=0.0, d=0.0, e=1.0, f=0.0) -> None:
        self.a, self.b, self.c, self.d, self.e, self.f = a, b, c, d, e, f

    def __matmul__(self, o: "Affine") -> "Affine":
        """self @ o applies o first, then self."""
        return Affine(
            self.a * o.a + self.b * o.d,
            self.a * o.b + self.b * o.e,
            self.a * o.c + self.b * o.f + self.c,
            self.d * o.a + self.e * o.d,
            self.d * o.b + self.e * o.e,
            self.d * o.c + self.e * o.f + self.f,
        )

    @staticmethod
    def translate(x: float, y: float) -> "Affine":
        return Affine(1, 0, x, 0, 1, y)

    @staticmethod
    def rotate(a: float) -> "Affine":
        c, s = math.cos(a), math.sin(a)
        return Affine(c, -s, 0, s, c, 0)

    @staticmethod
    def scale(s: float, flip: int = 1) -> "Affine":
        return Affine(s * flip, 0, 0, 0, s, 0)

    @staticmethod
    def rotate_about(px: float, py: float, a: float) -> "Affine":
        return Affine.translate(px, py) @ Affine.rotate(a) @ Affine.translate(-px, -py)

    def pt(self, x: float, y: float) -> tuple[float, float]:
        return (self.a * x + self.b * y + self.c, self.d * x + self.e * y + self.f)

    def vec(self, x: float, y: float) -> tuple[float, float]:
        return (self.a * x + self.b * y, self.d * x + self.e * y)

    @property
    def s(self) -> float:
        return math.sqrt(abs(self.a * self.e - self.b * self.d))

    # Shape constructors in this frame (similarity transforms only).
    def ellipse(self, cx, cy, rx, ry, ang=0.0) -> "Ellipse":
        x, y = self.pt(cx, cy)
        vx, vy = self.vec(math.cos(ang), math.sin(ang))
        return Ellipse(x, y, rx * self.s, ry * self.s, math.atan2(vy, vx))

    def circle(self, cx, cy, r) -> "Ellipse":
        return self.ellipse(cx, cy, r, r)

    def capsule(self, x0, y0, x1, y1, r0, r1=None) -> "Capsule":
        ax, ay = self.pt(x0, y0)
        bx, by = self.pt(x1, y1)
        return Capsule(ax, ay, bx, by, r0 * self.s, (r0 if r1 is None else r1) * self.s)

    def poly(self, pts) -> "Poly":
        return Poly([self.pt(x, y) for x, y in pts])


class Ellipse:
    __slots__ = ("cx", "cy", "rx", "ry", "ca", "sa")

    def __init__(self, cx, cy, rx, ry, ang=0.0) -> None:
        self.cx, self.cy, self.rx, self.ry = cx, cy, max(rx, 0.3), max(ry, 0.3)
        self.ca, self.sa = math.cos(ang), math.sin(ang)

    def bbox(self):
        ex = math.hypot(self.rx * self.ca, self.ry * self.sa)
        ey = math.hypot(self.rx * self.sa, self.ry * self.ca)
        return (self.cx - ex, self.cy - ey, self.cx + ex, self.cy + ey)

    def sdf(self, x, y):
        dx, dy = x - self.cx, y - self.cy
        u = dx * self.ca + dy * self.sa
        v = -dx * self.sa + dy * self.ca
        rx, ry = self.rx, self.ry
        k = math.sqrt((u / rx) ** 2 + (v / ry) ** 2)
        if k < 1e-9:
            return -min(rx, ry)
        gx = u / (rx * rx * k)
        gy = v / (ry * ry * k)
        return (k - 1.0) / math.sqrt(gx * gx + gy * gy)


class Capsule:
    """A segment with a (possibly tapering) radius: limbs, tails, strokes."""

    __slots__ = ("ax", "ay", "bx", "by", "r0", "r1", "dx", "dy", "ll")

    def __init__(self, ax, ay, bx, by, r0, r1) -> None:
        self.ax, self.ay, self.bx, self.by, self.r0, self.r1 = ax, ay, bx, by, r0, r1
        self.dx, self.dy = bx - ax, by - ay
        self.ll = self.dx * self.dx + self.dy * self.dy

    def bbox(self):
        r = max(self.r0, self.r1)
        return (min(self.ax, self.bx) - r, min(self.ay, self.by) - r,
                max(self.ax, self.bx) + r, max(self.ay, self.by) + r)

    def sdf(self, x, y):
        px, py = x - self.ax, y - self.ay
        t = 0.0 if self.ll == 0 else max(0.0, min(1.0, (px * self.dx + py * self.dy) / self.ll))
        qx, qy = px - t * self.dx, py - t * self.dy
        return math.sqrt(qx * qx + qy * qy) - (self.r0 + (self.r1 - self.r0) * t)


class Poly:
    __slots__ = ("pts",)

    def __init__(self, pts) -> None:
        self.pts = pts

    def bbox(self):
        xs = [p[0] for p in self.pts]
        ys = [p[1] for p in self.pts]
        return (min(xs), min(ys), max(xs), max(ys))

    def sdf(self, x, y):
        inside = False
        best = 1e18
        pts = self.pts
        n = len(pts)
        for i in range(n):
            x0, y0 = pts[i]
            x1, y1 = pts[(i + 1) % n]
            if (y0 > y) != (y1 > y):
                xi = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                if x < xi:
                    inside = not inside
            dx, dy = x1 - x0, y1 - y0
            ll = dx * dx + dy * dy
            t = 0.0 if ll == 0 else max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / ll))
            qx, qy = x - x0 - t * dx, y - y0 - t * dy
            d = qx * qx + qy * qy
            if d < best:
                best = d
        d = math.sqrt(best)
        return -d if inside else d


# ---------------------------------------------------------------------------
# Canvas: an RGB raster with outlined group drawing
# ---------------------------------------------------------------------------


class Canvas:
    def __init__(self, w: int, h: int, bg) -> None:
        self.w, self.h = w, h
        self.pix = [bg] * (w * h)

    def _span(self, bbox, grow):
        x0, y0, x1, y1 = bbox
        return (max(0, int(math.floor(x0 - grow))), max(0, int(math.floor(y0 - grow))),
                min(self.w - 1, int(math.ceil(x1 + grow))), min(self.h - 1, int(math.ceil(y1 + grow))))

    def _paint(self, shape, color, limit, clip, clip_out=None):
        """Paint pixels whose centre is within `limit` of the shape, inside any of
        `clip` (when given) and outside all of `clip_out` (when given)."""
        sx0, sy0, sx1, sy1 = self._span(shape.bbox(), max(limit, 0) + 1)
        pix, w, sdf = self.pix, self.w, shape.sdf
        for y in range(sy0, sy1 + 1):
            fy = y + 0.5
            row = y * w
            for x in range(sx0, sx1 + 1):
                fx = x + 0.5
                if sdf(fx, fy) <= limit:
                    if clip is not None and not any(c.sdf(fx, fy) <= 0 for c in clip):
                        continue
                    if clip_out is not None and any(c.sdf(fx, fy) <= 0 for c in clip_out):
                        continue
                    pix[row + x] = color

    def fill(self, shape, color, clip=None, clip_out=None):
        self._paint(shape, color, 0.0, clip, clip_out)

    def group(self, items, outline=OUTLINE, ow=OUTLINE_W, clip=None, clip_out=None):
        """Outline every shape first, then fill them all: one merged silhouette."""
        for shape, _ in items:
            self._paint(shape, outline, ow, clip, clip_out)
        for shape, color in items:
            self._paint(shape, color, 0.0, clip, clip_out)

    def outlined(self, shape, color, outline=OUTLINE, ow=OUTLINE_W):
        self.group([(shape, color)], outline, ow)

    def rect(self, x0, y0, x1, y1, color):
        for y in range(max(0, y0), min(self.h, y1)):
            row = y * self.w
            for x in range(max(0, x0), min(self.w, x1)):
                self.pix[row + x] = color

    def line(self, x0, y0, x1, y1, width, color):
        self.fill(Capsule(x0, y0, x1, y1, width / 2, width / 2), color)


# ---------------------------------------------------------------------------
# Dogs
# ---------------------------------------------------------------------------

BREED_DEFAULTS = dict(
    fur=rgb("c8894a"),
    fur2=None,          # belly / chest / muzzle colour
    patch=None,         # saddle colour (beagle, german shepherd)
    spots=(),           # (x, y, r) in body coordinates, clipped to the silhouette
    spot_color=BLACK,
    ear_color=None,
    muzzle=None,        # colour of the snout (defaults to fur2 or fur)
    mask=None,          # dark muzzle (pug)
    head_patch=None,    # colour over the top/back of the head
    body_rx=30.0, body_ry=15.0,
    leg_len=30.0, leg_r=4.6, paw=(5.0, 3.2),
    head_r=14.0, snout_len=11.0, snout_h=8.0,
    ear_type="flop",    # flop | point | long
    ear_len=19.0, ear_w=6.0,
    tail_type="up",     # up | curl | stub | plume
    tail_len=24.0, tail_r=3.6, tail_tip=None,
    collar=None,
    eye_color=EYE,
)


def breed(**kw):
    b = dict(BREED_DEFAULTS)
    for k in kw:
        if k not in b:
            raise KeyError(k)
    b.update(kw)
    return b


def _ik(hx, hy, fx, fy, l1, l2, bend):
    """Two-segment leg from hip to foot; bend=+1 puts the joint forward (+x)."""
    dx, dy = fx - hx, fy - hy
    d = math.hypot(dx, dy)
    if d < 1e-6:
        return hx, hy + l1
    if d >= l1 + l2:  # stretch rather than float
        k = d / (l1 + l2)
        l1, l2 = l1 * k, l2 * k
    if d < abs(l1 - l2) + 1e-6:
        d = abs(l1 - l2) + 1e-6
    a = (l1 * l1 - l2 * l2 + d * d) / (2 * d)
    h = math.sqrt(max(0.0, l1 * l1 - a * a))
    ux, uy = dx / d, dy / d
    mx, my = hx + a * ux, hy + a * uy
    # perpendicular pointing "forward" for a downward leg
    px, py = uy, -ux
    if px * bend < 0:
        px, py = -px, -py
    return mx + h * px, my + h * py


def draw_dog(cv: Canvas, b: dict, pose: dict) -> None:
    """A side-view dog, facing right in its own frame (facing=-1 mirrors it).

    pose: x, y (body centre; with sit=True, y is the ground line instead), s (scale),
    facing, body_rot (negative: chest up), head_rot (negative: nose up), head_dy,
    feet ({"fn"|"ff"|"bn"|"bf": (x, y)} in the unrotated body frame; n = near, f = far),
    sit, tail (0 = straight back, pi/2 = straight up), tail_bend, ear_swing (positive:
    ears blown back), eyes (open|blink|happy|sleep), brow, mouth (smile|open),
    jaw (open mouth angle), tongue (length), bone, breath (body height factor).
    """
    x, y = pose.get("x", 100.0), pose.get("y", 100.0)
    s, facing = pose.get("s", 1.0), pose.get("facing", 1)
    body_rot = pose.get("body_rot", 0.0)
    head_rot = pose.get("head_rot", 0.0)
    sit = pose.get("sit", False)
    rx, ry = b["body_rx"] * (0.86 if sit else 1.0), b["body_ry"] * pose.get("breath", 1.0)
    hr = b["head_r"]
    fur = b["fur"]
    fur2 = b["fur2"]
    dark = shade(fur, 0.78) if sum(fur) > 200 else shade(fur, 1.25)
    L = b["leg_len"]
    lr = b["leg_r"]
    rot_only = Affine.rotate(body_rot)

    hips = {
        "fn": (rx * 0.55, ry * 0.35), "ff": (rx * 0.62, ry * 0.2),
        "bn": (-rx * 0.58, ry * 0.35), "bf": (-rx * 0.5, ry * 0.2),
    }
    ground = ry * 0.35 + L                                    # body-frame y of the ground
    haunch = None
    if sit:
        hx_, hy_ = rot_only.pt(-rx * 0.52, ry * 0.3)
        hrx, hry = ry * 1.15, ry * 1.0
        ca, sa = math.cos(body_rot), math.sin(body_rot)
        ground = hy_ + math.hypot(hrx * sa, hry * ca)
        haunch = (hx_, hy_, hrx, hry)
        y = y - ground * s                                    # pose y was the ground line

    W = Affine.translate(x, y) @ Affine.scale(s, facing)      # root frame (ground is level)
    B = W @ rot_only                                           # body frame
    neck = (rx * 0.72, -ry * 0.45)
    Hd = B @ Affine.rotate_about(neck[0], neck[1], head_rot)  # head frame
    hc = (rx * 0.92 + hr * 0.25, -ry - hr * 0.5 + pose.get("head_dy", 0.0))
    snout = (hc[0] + hr * 0.8, hc[1] + hr * 0.32)
    sl, sh = b["snout_len"], b["snout_h"]
    feet = pose.get("feet", {})

    def leg(name, color):
        hx, hy = rot_only.pt(*hips[name])
        front = name[0] == "f"
        if name in feet:
            fx, fy = feet[name]
        elif sit and front:
            fx, fy = hx + (4.0 if name[1] == "f" else 1.0), ground
        else:
            fx, fy = hx + (3.0 if name[1] == "f" else 0.0), ground
        total = L * (1.02 if front else 1.14)
        kx, ky = _ik(hx, hy, fx, fy, total * 0.5, total * 0.5, 1 if front else -1)
        items = [
            (W.capsule(hx, hy, kx, ky, lr * 1.25, lr), color),
            (W.capsule(kx, ky, fx, fy - 1.0, lr, lr * 0.9), color),
            (W.ellipse(fx + 1.8, fy - b["paw"][1] * 0.5, b["paw"][0], b["paw"][1]), color),
        ]
        if not front:
            items.insert(0, (W.ellipse(hx - 1, hy - 2, lr * 2.3, lr * 2.9, 0.3), color))
        cv.group(items)

    def sit_hind(color, near):
        hx_, hy_, hrx, hry = haunch
        px = hx_ + hrx * 0.95 + (0 if near else 5)
        py = ground - b["paw"][1] * 0.55
        items = [(W.capsule(hx_ + hrx * 0.1, ground - lr * 1.1, px, ground - lr * 0.9, lr * 1.1, lr * 0.9), color),
                 (W.ellipse(px + 1.5, py, b["paw"][0] * 1.05, b["paw"][1]), color)]
        if near:
            items.insert(0, (W.ellipse(hx_, hy_, hrx, hry, body_rot + 0.5), color))
        cv.group(items)

    # far legs
    if sit:
        sit_hind(dark, False)
    else:
        leg("bf", dark)
    leg("ff", dark)

    # tail
    tail_a = pose.get("tail", 0.9)
    tt = b["tail_type"]
    tb = (-rx * 0.92, -ry * 0.35)
    n = {"stub": 1, "curl": 5}.get(tt, 4)
    seg = b["tail_len"] / n * (0.45 if tt == "stub" else 1.0)
    curl = {"curl": -0.75, "up": 0.18, "plume": 0.12, "stub": 0.0}[tt]
    ang = tail_a
    px, py = tb
    items = []
    r = b["tail_r"] * (1.5 if tt == "plume" else 1.0)
    for i in range(n):
        nx = px - math.cos(ang) * seg
        ny = py - math.sin(ang) * seg
        if tt == "plume":
            r0, r1 = r * (1.0 - 0.05 * i), r * (1.0 - 0.05 * (i + 1))
        else:
            r0, r1 = r * (1.0 - 0.14 * i), r * (1.0 - 0.14 * (i + 1))
        items.append((B.capsule(px, py, nx, ny, r0, r1), fur))
        px, py = nx, ny
        ang += curl + pose.get("tail_bend", 0.0)
    if b["tail_tip"] is not None:
        items.append((B.circle(px, py, r * (0.95 if tt == "plume" else 0.85)), b["tail_tip"]))
    cv.group(items)

    # ears behind the head: pointed ears, and the far floppy ear
    ear_swing = pose.get("ear_swing", 0.0)
    et = b["ear_type"]
    ear_col = b["ear_color"] or fur
    if et == "point":
        el, ew = b["ear_len"], b["ear_w"]
        for off, col, inner, lean in ((5.0, shade(ear_col, 0.8), shade(PINK, 0.78), 0.1),
                                      (-2.0, ear_col, PINK, -0.05)):
            bx0, by0 = hc[0] + off - ew, hc[1] - hr * 0.55
            bx1, by1 = hc[0] + off + ew, hc[1] - hr * 0.75
            tipx = hc[0] + off - el * math.sin(lean + ear_swing) - 1
            tipy = hc[1] - hr * 0.6 - el * math.cos(lean + ear_swing)
            cv.group([(Hd.poly([(bx0, by0), (tipx, tipy), (bx1, by1)]), col)])
            cv.fill(Hd.poly([(bx0 + ew * 0.55, by0 - 1.5), (tipx * 0.75 + (bx0 + bx1) * 0.125, tipy * 0.75 + (by0 + by1) * 0.125),
                             (bx1 - ew * 0.5, by1 - 0.5)]), inner)
    else:
        a = 0.05 + ear_swing * 0.7
        el = b["ear_len"]
        ax_, ay_ = hc[0] + hr * 0.15, hc[1] - hr * 0.7
        cv.group([(Hd.ellipse(ax_ - math.sin(a) * el * 0.45, ay_ + math.cos(a) * el * 0.45,
                              el * 0.5, b["ear_w"] * 0.9, math.pi / 2 + a), shade(ear_col, 0.75))])

    mouth = pose.get("mouth", "smile")
    tongue = pose.get("tongue", 0.0)
    muzzle_col = b["muzzle"] or fur2 or fur

    # body + neck + head + snout as one silhouette
    body = B.ellipse(0, 0, rx, ry)
    chest = B.ellipse(rx * 0.55, -ry * 0.1, ry * 0.95, ry * 0.95)
    neck_c = Hd.capsule(rx * 0.6, -ry * 0.2, hc[0] - 2, hc[1] + 2, hr * 0.72, hr * 0.62)
    head = Hd.ellipse(hc[0], hc[1], hr * 1.05, hr * 0.95)
    snout_e = Hd.ellipse(snout[0], snout[1], sl, sh, 0.08)
    silhouette = [body, chest, neck_c, head, snout_e]
    cv.group([(body, fur), (chest, fur), (neck_c, fur), (head, fur), (snout_e, b["muzzle"] or fur)])

    # markings, clipped to the silhouette
    if b["patch"] is not None:
        cv.fill(B.ellipse(-rx * 0.12, -ry * 0.75, rx * 0.82, ry * 0.72, 0.0), b["patch"], clip=[body])
    if fur2 is not None:
        cv.fill(B.ellipse(rx * 0.1, ry * 0.95, rx * 0.8, ry * 0.55), fur2, clip=[body, chest])
        cv.fill(Hd.capsule(rx * 0.75, ry * 0.1, hc[0] + 4, hc[1] + hr * 0.55, ry * 0.45, hr * 0.35),
                fur2, clip=silhouette)
        if b["muzzle"] is None:
            cv.fill(Hd.ellipse(snout[0] + 2, snout[1] + sh * 0.35, sl * 1.0, sh * 0.7), fur2, clip=[snout_e, head])
    for sx_, sy_, sr in b["spots"]:
        cv.fill(B.circle(sx_, sy_, sr), b["spot_color"], clip=[body, chest])
    if b["head_patch"] is not None:
        cv.fill(Hd.ellipse(hc[0] - hr * 0.35, hc[1] - hr * 0.3, hr * 0.85, hr * 0.8), b["head_patch"], clip=[head, neck_c])
    if b["mask"] is not None:
        cv.fill(Hd.ellipse(snout[0] + 1, snout[1], sl * 1.1, sh * 1.15), b["mask"], clip=[snout_e])
        cv.fill(Hd.ellipse(hc[0] + hr * 0.45, hc[1] - hr * 0.15, hr * 0.45, hr * 0.42), b["mask"], clip=[head])

    # collar: a band across the neck
    if b["collar"] is not None:
        n0x, n0y = rx * 0.6, -ry * 0.2
        cx0, cy0 = n0x + (hc[0] - 2 - n0x) * 0.55, n0y + (hc[1] + 2 - n0y) * 0.55
        dx, dy = hc[0] - 2 - n0x, hc[1] + 2 - n0y
        dl = math.hypot(dx, dy)
        px_, py_ = -dy / dl * hr, dx / dl * hr
        cv.fill(Hd.capsule(cx0 - px_, cy0 - py_, cx0 + px_, cy0 + py_, 2.4), b["collar"], clip=[neck_c, chest])
        tx, ty = Hd.pt(cx0 + px_ * 0.62 + dx / dl * 1.5, cy0 + py_ * 0.62 + dy / dl * 1.5)
        cv.outlined(Ellipse(tx, ty, 2.5 * s, 2.5 * s), GOLD, ow=1.2)

    # an open mouth and/or a tongue, then the upper snout again on top of them
    if mouth == "open":
        ja = pose.get("jaw", 0.35)
        hx0, hy0 = snout[0] - sl * 0.55, snout[1] + sh * 0.3
        ca, sa = math.cos(ja), math.sin(ja)
        inside = Hd.ellipse(hx0 + sl * 0.62, hy0 + sh * 0.05 + sl * 0.45 * math.sin(ja * 0.6),
                            sl * 0.78, sh * 0.3 + sl * 0.55 * math.sin(ja), ja * 0.5)
        cv.outlined(inside, MOUTH, ow=1.4)
        jx, jy = hx0 + sl * 0.7 * ca - sh * 0.25 * sa, hy0 + sl * 0.7 * sa + sh * 0.25 * ca
        jaw = Hd.ellipse(jx, jy, sl * 0.78, sh * 0.38, ja)
        if tongue <= 0:
            cv.fill(Hd.ellipse(jx - sa * sh * 0.3, jy - ca * sh * 0.3, sl * 0.55, sh * 0.3, ja), PINK, clip=[inside])
        cv.outlined(jaw, muzzle_col, ow=1.4)
        if tongue > 0:
            tx0, ty0 = jx + sl * 0.1, jy - sh * 0.3
            cv.outlined(Hd.capsule(tx0, ty0, tx0 - 1.0, ty0 + tongue, 2.6, 3.0), PINK, ow=1.3)
            cv.fill(Hd.capsule(tx0 - 0.4, ty0 + 1.5, tx0 - 0.8, ty0 + tongue - 1, 0.45), shade(PINK, 0.8))
    elif tongue > 0:
        tx0, ty0 = snout[0] + sl * 0.15, snout[1] + sh * 0.4
        cv.outlined(Hd.capsule(tx0, ty0, tx0 - 0.5, ty0 + tongue, 2.6, 2.9), PINK, ow=1.3)
        cv.fill(Hd.capsule(tx0 - 0.3, ty0 + 1, tx0 - 0.4, ty0 + tongue - 1, 0.45), shade(PINK, 0.8))

    if mouth == "open" or tongue > 0:
        cv.group([(snout_e, b["muzzle"] or fur)], clip_out=[head])
        if fur2 is not None and b["muzzle"] is None:
            cv.fill(Hd.ellipse(snout[0] + 2, snout[1] + sh * 0.35, sl * 1.0, sh * 0.7), fur2, clip=[snout_e],
                    clip_out=[head])
        if b["mask"] is not None:
            cv.fill(Hd.ellipse(snout[0] + 1, snout[1], sl * 1.1, sh * 1.15), b["mask"], clip=[snout_e], clip_out=[head])

    # near legs
    if sit:
        sit_hind(fur, True)
    else:
        leg("bn", fur)
    leg("fn", fur)

    # face
    ex, ey = hc[0] + hr * 0.42, hc[1] - hr * 0.22
    eyes = pose.get("eyes", "open")
    if eyes == "open":
        cv.fill(Hd.ellipse(ex, ey, 2.5, 3.2), b["eye_color"])
        if b["eye_color"] != EYE:
            cv.fill(Hd.circle(ex + 0.5, ey + 0.3, 1.2), EYE)
        cv.fill(Hd.circle(ex + 0.9, ey - 1.2, 1.0), WHITE)
    elif eyes == "blink":
        cv.fill(Hd.capsule(ex - 2.6, ey + 0.5, ex + 2.6, ey + 0.5, 0.9), EYE)
    elif eyes == "happy":
        cv.fill(Hd.capsule(ex - 3, ey + 1, ex, ey - 1.6, 0.9), EYE)
        cv.fill(Hd.capsule(ex, ey - 1.6, ex + 3, ey + 1, 0.9), EYE)
    elif eyes == "sleep":
        cv.fill(Hd.capsule(ex - 3, ey - 0.5, ex, ey + 1.4, 0.9), EYE)
        cv.fill(Hd.capsule(ex, ey + 1.4, ex + 3, ey - 0.5, 0.9), EYE)
    if pose.get("brow"):
        cv.fill(Hd.capsule(ex - 2.5, ey - 5.5, ex + 2.5, ey - 6.5, 0.8), shade(fur, 0.6))

    if mouth != "open":
        mx0, my0 = snout[0] - sl * 0.35, snout[1] + sh * 0.55
        mx1, my1 = snout[0] + sl * 0.55, snout[1] + sh * 0.55
        cv.fill(Hd.capsule(mx0, my0, mx1, my1, 0.85), OUTLINE)
    if pose.get("bone"):
        _bone(cv, Hd, snout[0] + sl * 0.2, snout[1] + sh * 0.95, 13.0, 0.05)
    nx, ny = snout[0] + sl * 0.86, snout[1] - sh * 0.45
    cv.outlined(Hd.ellipse(nx, ny, 3.6, 2.9), NOSE, ow=1.0)
    cv.fill(Hd.circle(nx + 0.6, ny - 1.1, 0.9), shade(NOSE, 2.6))

    # near floppy ear over the head
    if et in ("flop", "long"):
        ax_, ay_ = hc[0] - hr * 0.2, hc[1] - hr * 0.72
        a = 0.22 + ear_swing
        el = b["ear_len"]
        cx_, cy_ = ax_ - math.sin(a) * el * 0.5, ay_ + math.cos(a) * el * 0.5
        cv.group([(Hd.ellipse(cx_, cy_, el * 0.55, b["ear_w"], math.pi / 2 + a), ear_col),
                  (Hd.ellipse(ax_ + 1.0, ay_ + 2.5, b["ear_w"] * 1.1, b["ear_w"] * 0.9), ear_col)])


def _bone(cv, M, cx, cy, length, ang, color=rgb("f5ecd7")):
    ca, sa = math.cos(ang), math.sin(ang)
    h = length / 2
    p0 = (cx - ca * h, cy - sa * h)
    p1 = (cx + ca * h, cy + sa * h)
    nx, ny = -sa * 2.4, ca * 2.4
    cv.group([
        (M.capsule(p0[0], p0[1], p1[0], p1[1], 2.2), color),
        (M.circle(p0[0] + nx, p0[1] + ny, 2.6), color),
        (M.circle(p0[0] - nx, p0[1] - ny, 2.6), color),
        (M.circle(p1[0] + nx, p1[1] + ny, 2.6), color),
        (M.circle(p1[0] - nx, p1[1] - ny, 2.6), color),
    ], ow=1.4)


def draw_front_dog(cv: Canvas, b: dict, pose: dict) -> None:
    """A sitting dog seen from the front; origin between its front paws on the ground."""
    x, y, s = pose.get("x", 100.0), pose.get("y", 140.0), pose.get("s", 1.0)
    sway = pose.get("sway", 0.0)
    tilt = pose.get("tilt", 0.0)
    fur, fur2 = b["fur"], b["fur2"] or b["fur"]
    ear_col = b["ear_color"] or fur
    W = Affine.translate(x, y) @ Affine.scale(s) @ Affine.rotate(sway)
    Hd = W @ Affine.translate(pose.get("head_dx", 0.0), 0.0) @ Affine.rotate_about(0, -46, tilt)
    dark = shade(fur, 0.8)

    # tail peeking out
    if pose.get("tail") is not None:
        ta = pose["tail"]
        cv.group([(W.capsule(16, -10, 16 + 16 * math.cos(ta), -10 - 16 * math.sin(ta), 3.4, 2.4), fur)])

    body = W.ellipse(0, -30, 21, 27)
    hl = W.ellipse(-15, -11, 12, 11)
    hr_ = W.ellipse(15, -11, 12, 11)
    cv.group([(body, fur), (hl, dark), (hr_, dark)])
    cv.fill(W.ellipse(0, -34, 11, 17), fur2, clip=[body])
    for sx in (-1, 1):
        cv.group([(W.capsule(8 * sx, -30, 8.5 * sx, -5, 5.0, 4.6), fur),
                  (W.ellipse(8.8 * sx, -3.6, 6.2, 4.0), fur)])
        cv.fill(W.capsule(8.8 * sx - 1.6, -5.5, 8.8 * sx - 1.6, -2.5, 0.55), OUTLINE)
        cv.fill(W.capsule(8.8 * sx + 1.6, -5.5, 8.8 * sx + 1.6, -2.5, 0.55), OUTLINE)

    if b["collar"] is not None:
        cv.fill(W.ellipse(0, -47, 18, 5), b["collar"], clip=[body])
        cv.outlined(W.circle(0, -42, 3.0), GOLD, ow=1.2)

    flap = pose.get("ear_flap", 0.0)
    hw, hh = b["head_r"] * 1.55, b["head_r"] * 1.35
    hy = -64.0
    if b["ear_type"] == "point":
        for sx in (-1, 1):
            base0 = (sx * hw * 0.25, hy - hh * 0.8)
            base1 = (sx * hw * 0.95, hy - hh * 0.35)
            tip = (sx * (hw * 0.78 + math.sin(flap) * 8), hy - hh - b["ear_len"] * 0.9)
            cv.group([(Hd.poly([base0, tip, base1]), ear_col)])
            cv.fill(Hd.poly([(base0[0] * 0.7 + base1[0] * 0.3, base0[1] * 0.7 + base1[1] * 0.3 - 1),
                             (tip[0] * 0.9 + base1[0] * 0.1, tip[1] + 7),
                             (base0[0] * 0.25 + base1[0] * 0.75 - sx, base0[1] * 0.25 + base1[1] * 0.75 - 1)]), PINK)

    head = Hd.ellipse(0, hy, hw, hh)
    cv.group([(head, fur)])
    if b["head_patch"] is not None:
        cv.fill(Hd.ellipse(0, hy - hh * 0.6, hw * 0.9, hh * 0.7), b["head_patch"], clip=[head])
    if b["mask"] is not None:
        cv.fill(Hd.ellipse(0, hy + hh * 0.52, hw * 0.6, hh * 0.42), b["mask"], clip=[head])

    eyes = pose.get("eyes", "open")
    for sx in (-1, 1):
        ex, ey = sx * hw * 0.38, hy - hh * 0.12
        if eyes == "open":
            cv.fill(Hd.ellipse(ex, ey, 3.3, 3.8), b["eye_color"])
            cv.fill(Hd.circle(ex + 1.1, ey - 1.3, 1.2), WHITE)
        elif eyes == "blink":
            cv.fill(Hd.capsule(ex - 3.4, ey + 0.5, ex + 3.4, ey + 0.5, 0.95), EYE)
        else:  # squeezed shut
            cv.fill(Hd.capsule(ex - 3.4, ey, ex, ey + 1.5, 0.95), EYE)
            cv.fill(Hd.capsule(ex, ey + 1.5, ex + 3.4, ey, 0.95), EYE)
    if pose.get("wrinkles"):
        for i in (-1, 1):
            cv.fill(Hd.capsule(-5, hy - hh * 0.62 + i * 2.4, 5, hy - hh * 0.62 + i * 2.4 - 0.6, 0.6),
                    shade(fur, 0.6))

    muz = Hd.ellipse(0, hy + hh * 0.45, hw * 0.48, hh * 0.4)
    cv.group([(muz, b["muzzle"] or fur2)], ow=1.2)
    nose_y = hy + hh * 0.28
    cv.outlined(Hd.ellipse(0, nose_y, 4.6, 3.2), NOSE, ow=1.0)
    cv.fill(Hd.ellipse(-1.2, nose_y - 1.2, 1.4, 0.8), shade(NOSE, 2.6))
    my = hy + hh * 0.55
    cv.fill(Hd.capsule(0, nose_y + 3, 0, my, 0.7), OUTLINE)
    cv.fill(Hd.capsule(0, my, -4.5, my + 1.5, 0.7), OUTLINE)
    cv.fill(Hd.capsule(0, my, 4.5, my + 1.5, 0.7), OUTLINE)
    if pose.get("tongue", 0) > 0:
        t = pose["tongue"]
        cv.outlined(Hd.capsule(0.5, my + 1.5, 0.8, my + 1.5 + t, 3.0, 3.3), PINK, ow=1.2)
        cv.fill(Hd.capsule(0.6, my + 2.5, 0.7, my + t, 0.5), shade(PINK, 0.8))

    if b["ear_type"] in ("flop", "long"):
        for sx in (-1, 1):
            a = sx * (0.25 + flap)
            el = b["ear_len"]
            ax_, ay_ = sx * hw * 0.8, hy - hh * 0.55
            cx_ = ax_ + math.sin(a) * el * 0.5
            cy_ = ay_ + math.cos(a) * el * 0.5
            cv.group([(Hd.ellipse(cx_, cy_, el * 0.55, b["ear_w"], math.pi / 2 - a), ear_col),
                      (Hd.ellipse(ax_ - sx * 2, ay_ + 1, b["ear_w"] * 0.9, b["ear_w"] * 0.8), ear_col)])


# ---------------------------------------------------------------------------
# Scenery helpers
# ---------------------------------------------------------------------------


def scene(sky, ground=GRASS, horizon=128, tufts=True, ground_edge=None):
    cv = Canvas(WIDTH, HEIGHT, sky)
    cv.rect(0, horizon, WIDTH, HEIGHT, ground)
    cv.rect(0, horizon, WIDTH, horizon + 2, ground_edge or shade(ground, 0.85))
    if tufts:
        for tx in (14, 58, 117, 171):
            _tuft(cv, tx, horizon + 14, shade(ground, 0.82))
    return cv


def _tuft(cv, x, y, color):
    for dx, h, lean in ((-3, 6, -1.5), (0, 8, 0.0), (3, 6, 1.5)):
        cv.line(x + dx, y, x + dx + lean, y - h, 1.6, color)


def shadow(cv, x, y, rx, ry, color):
    cv.fill(Ellipse(x, y, rx, ry), color)


def cloud(cv, x, y, s=1.0, color=WHITE):
    for dx, dy, r in ((-12, 2, 8), (0, -3, 11), (12, 2, 8), (0, 4, 9)):
        cv.fill(Ellipse(x + dx * s, y + dy * s, r * s, r * s * 0.85), color)


def letter_z(cv, x, y, size, color, width=1.8):
    h = size
    cv.line(x, y, x + h, y, width, color)
    cv.line(x + h, y, x, y + h, width, color)
    cv.line(x, y + h, x + h, y + h, width, color)


def heart(cv, x, y, size, color):
    r = size * 0.3
    cv.group([(Ellipse(x - r * 0.95, y - r * 0.4, r, r), color),
              (Ellipse(x + r * 0.95, y - r * 0.4, r, r), color),
              (Poly([(x - r * 1.85, y - r * 0.1), (x + r * 1.85, y - r * 0.1), (x, y + size * 0.62)]), color)],
             ow=1.2)


def ball(cv, x, y, r, color=RED, stripe=WHITE, spin=0.0):
    """A ball with a spot that turns with `spin` (radians)."""
    e = Ellipse(x, y, r, r)
    cv.outlined(e, color, ow=1.5)
    cv.fill(Ellipse(x + r * 0.5 * math.cos(spin), y + r * 0.5 * math.sin(spin), r * 0.28, r * 0.28), stripe, clip=[e])
    cv.fill(Ellipse(x - r * 0.35, y - r * 0.4, r * 0.25, r * 0.18), shade(color, 1.5))


def dog_bed(cv, x, y, w, color):
    cv.group([(Ellipse(x, y, w, 11), color)])
    cv.fill(Ellipse(x, y - 3, w * 0.86, 6), shade(color, 0.8))


# ---------------------------------------------------------------------------
# The catalog: one function per GIF, returning (frames, delay in 1/100 s)
# ---------------------------------------------------------------------------

BEAGLE = breed(fur=rgb("d9924a"), fur2=rgb("fbf6ec"), patch=rgb("3a2a22"), ear_color=rgb("a8652f"),
               tail_tip=rgb("fbf6ec"), collar=rgb("3d7bd9"), ear_len=20, ear_w=6.5)
CORGI = breed(fur=rgb("e58f3c"), fur2=rgb("fff6e8"), body_rx=31, body_ry=14, leg_len=17, leg_r=4.4,
              ear_type="point", ear_len=17, ear_w=7, tail_type="stub", tail_len=10, head_r=13.5, snout_len=10)
TERRIER = breed(fur=rgb("fbf8f2"), head_patch=rgb("9a5a2c"), ear_color=rgb("9a5a2c"), spots=((-14, -7, 8),),
                spot_color=rgb("9a5a2c"), body_rx=25, body_ry=13, leg_len=24, head_r=12.5, snout_len=9.5,
                ear_len=12, ear_w=5.0, tail_type="up", tail_len=17, collar=RED)
PUG = breed(fur=rgb("e9c99a"), mask=rgb("3a2c28"), ear_color=rgb("3a2c28"), head_r=16, ear_len=12, ear_w=7,
            collar=rgb("4fb06b"))
DACHSHUND = breed(fur=rgb("9b4f25"), fur2=None, ear_color=rgb("6e3418"), body_rx=40, body_ry=12, leg_len=14,
                  leg_r=4.0, head_r=12.5, snout_len=13, snout_h=6.5, ear_len=18, ear_w=6, tail_len=22, tail_r=3.0,
                  collar=rgb("e9c43c"))
BASSET = breed(fur=rgb("fbf6ec"), patch=rgb("b36a32"), head_patch=rgb("b36a32"), ear_color=rgb("8d4e22"),
               body_rx=36, body_ry=15, leg_len=14, ear_type="long", ear_len=30, ear_w=7.5, head_r=14, snout_len=12,
               snout_h=9, tail_tip=rgb("fbf6ec"))
LAB = breed(fur=rgb("eccb8a"), fur2=rgb("f6e2b6"), ear_color=rgb("d2a866"), head_r=15, ear_len=15, ear_w=7,
            collar=RED)
DALMATIAN = breed(fur=rgb("fcfcfa"), spots=((-20, -6, 3.2), (-8, -10, 2.6), (4, -4, 3.0), (14, -9, 2.4),
                                             (-14, 5, 2.6), (10, 6, 2.2), (-26, 2, 2.0), (22, 0, 2.4), (-2, 8, 2.2)),
                  spot_color=rgb("1f1b1b"), ear_color=rgb("2a2222"), ear_len=14, ear_w=5, body_rx=31, body_ry=13.5, leg_len=31,
                  leg_r=4.0, head_r=13, snout_len=12, snout_h=7, tail_len=26, tail_r=3.0, collar=rgb("e65c9a"))
HUSKY = breed(fur=rgb("8e96a3"), fur2=rgb("fbfbfb"), muzzle=rgb("fbfbfb"), ear_type="point", ear_len=15, ear_w=6,
              tail_type="plume", tail_len=26, tail_r=4.2, tail_tip=rgb("fbfbfb"), eye_color=rgb("3aa0e8"),
              head_r=14.5, snout_len=12)
GOLDEN = breed(fur=rgb("e0a84e"), fur2=rgb("f0c778"), ear_color=rgb("c98b34"), tail_type="plume", tail_len=26,
               tail_r=4.0, body_rx=31, ear_len=18, ear_w=6.5)
SPANIEL = breed(fur=rgb("8f4a2a"), fur2=rgb("f8efe2"), ear_color=rgb("6c3520"), ear_type="long", ear_len=28,
                ear_w=7.5, head_r=14, snout_len=10, snout_h=8, body_rx=27, collar=rgb("f0b62c"))
SHIBA = breed(fur=rgb("e2893a"), fur2=rgb("fff3e0"), ear_type="point", ear_len=13, ear_w=6, tail_type="curl",
              tail_len=26, tail_r=4.2, tail_tip=rgb("fff3e0"), head_r=14, snout_len=10.5)
COLLIE = breed(fur=rgb("6e3f27"), fur2=rgb("fbfbfb"), ear_type="point", ear_len=12, ear_w=5.5, tail_type="plume",
               tail_len=25, tail_r=3.8, tail_tip=rgb("fbfbfb"), body_rx=29, leg_len=29, eye_color=rgb("6b4a2a"))
WHITE_PUPPY = breed(fur=rgb("fbfbfb"), ear_color=rgb("c7a27c"), spots=((-8, -6, 6),), spot_color=rgb("c7a27c"),
                    body_rx=22, body_ry=13, leg_len=15, leg_r=4.2, head_r=15, snout_len=8, snout_h=7, ear_len=14,
                    ear_w=6, tail_len=13, collar=rgb("e65c9a"))


def wave(t: float, phase: float = 0.0) -> float:
    return math.sin(2 * math.pi * (t + phase))


def gif_wagging_beagle(n=8):
    frames = []
    for i in range(n):
        t = i / n
        cv = scene(rgb("bfe3f5"))
        cloud(cv, 40, 30, 1.0)
        cloud(cv, 160, 22, 0.8)
        shadow(cv, 98, 139, 46, 4, shade(GRASS, 0.8))
        draw_dog(cv, BEAGLE, dict(x=92, y=96, tail=0.95 + 0.55 * wave(t), tail_bend=-0.1 * wave(t),
                                  head_rot=0.04 * wave(t, 0.25), mouth="smile", tongue=6 + 1.5 * wave(t),
                                  ear_swing=0.06 * wave(t, 0.25), eyes="blink" if i == 5 else "open"))
        frames.append(cv)
    return frames, 8


def gif_zooming_corgi(n=8):
    frames = []
    for i in range(n):
        t = i / n
        cv = scene(rgb("ffe1b3"), ground=rgb("9ccf6e"), tufts=False)
        for k in range(4):  # scrolling ground marks
            gx = (k * 60 - t * 120) % 240 - 20
            _tuft(cv, gx, 146, shade(rgb("9ccf6e"), 0.8))
        bob = -2.5 * abs(wave(t * 2))
        ground = 14 * 0.35 + 17
        feet = {}
        for leg_name, ph, hx in (("bn", 0.0, -18), ("bf", 0.08, -15), ("fn", 0.5, 17), ("ff", 0.58, 19)):
            th = 2 * math.pi * (t + ph)
            feet[leg_name] = (hx + 9 * math.cos(th), ground - bob - 6 * max(0.0, -math.sin(th)))
        shadow(cv, 96, 142, 38, 3.5, shade(rgb("9ccf6e"), 0.8))
        for k in range(3):  # speed lines
            ly = 88 + k * 12
            lx = 22 - (i * 7 + k * 11) % 14
            cv.line(lx, ly, lx + 18 - k * 3, ly, 2.2, WHITE)
        # dust puffs behind
        for k in range(2):
            pt = (t + k * 0.5) % 1.0
            cv.fill(Ellipse(62 - pt * 30, 138 - pt * 8, 3 + pt * 5, 2.5 + pt * 4), shade(rgb("ffe1b3"), 0.92))
        draw_dog(cv, CORGI, dict(x=100, y=111 + bob, feet=feet, body_rot=0.05 * wave(t, 0.25), tail=0.6,
                                 mouth="open", jaw=0.3, tongue=5, ear_swing=0.2 + 0.05 * wave(t)))
        frames.append(cv)
    return frames, 6


def gif_bouncy_puppy(n=10):
    frames = []
    sky = rgb("f7d6e6")
    for i in range(n):
        t = i / n
        crouch = i in (0, 1)
        h = 0.0 if crouch else 30 * math.sin(math.pi * (i - 1) / (n - 1))  # one hop per loop
        cv = scene(sky, ground=rgb("b8e0a0"))
        heart(cv, 40, 40 - 3 * wave(t), 12, rgb("f05a7e"))
        heart(cv, 165, 52 + 3 * wave(t), 9, rgb("f58fa8"))
        sh = 1.0 - h / 60
        shadow(cv, 100, 141, 32 * sh, 3.5 * sh, shade(rgb("b8e0a0"), 0.8))
        ground = 13 * 0.35 + 15
        air = h > 4
        feet = {}
        if air:
            feet = {"fn": (24, ground - 6), "ff": (26, ground - 7), "bn": (-22, ground - 4), "bf": (-19, ground - 5)}
        if crouch:
            gy = ground - (3 / 1.15 if i == 1 else 0.0)  # body squats 3 px, paws stay put
            feet = {"fn": (19, gy), "ff": (22, gy), "bn": (-15, gy), "bf": (-12, gy)}
        draw_dog(cv, WHITE_PUPPY, dict(x=100, y=119 - h + (3 if i == 1 else 0), s=1.15, feet=feet,
                                       body_rot=-0.15 * math.sin(2 * math.pi * (i - 1) / (n - 1)) if not crouch else 0.0,
                                       tail=1.2 + 0.4 * wave(t * 2), mouth="open" if air else "smile",
                                       jaw=0.35, tongue=4 if air else 0, eyes="happy" if not air else "open",
                                       ear_swing=0.5 * h / 30))
        frames.append(cv)
    return frames, 7


def gif_blinking_pug(n=12):
    frames = []
    for i in range(n):
        t = i / n
        cv = scene(rgb("d8ecd0"), ground=rgb("e9d5b5"), tufts=False, horizon=124)
        # a rug
        cv.fill(Ellipse(100, 142, 70, 10), rgb("c9584c"))
        cv.fill(Ellipse(100, 142, 58, 6), rgb("e07a62"))
        tilt = 0.16 * math.sin(2 * math.pi * t)
        eyes = "blink" if i in (4, 9) else "open"
        draw_front_dog(cv, PUG, dict(x=100, y=144, s=1.1, tilt=tilt, eyes=eyes, wrinkles=True,
                                     tongue=3 + 1.0 * wave(t), ear_flap=0.05 * wave(t)))
        frames.append(cv)
    return frames, 12


def gif_ball_chasing_terrier(n=24):
    frames = []
    for i in range(n):
        t = i / n
        cv = scene(rgb("c6e6ff"), ground=rgb("86c95f"))
        cloud(cv, 150, 28, 0.9)
        x = -40 + t * 300
        bx = x + 62
        bh = abs(math.sin(2 * math.pi * t * 3)) * 26
        ground = 13 * 0.35 + 24
        feet = {}
        for leg_name, ph, hx in (("bn", 0.0, -14.5), ("bf", 0.08, -12.5), ("fn", 0.5, 13.7), ("ff", 0.58, 15.5)):
            th = 2 * math.pi * (t * 6 + ph)
            feet[leg_name] = (hx + 9 * math.cos(th), ground - 7 * max(0.0, -math.sin(th)))
        bob = -2 * abs(math.sin(2 * math.pi * t * 6))
        for xx in (x, x - 300):
            shadow(cv, xx + 2, 140, 30, 3, shade(rgb("86c95f"), 0.82))
        for bxx in (bx, bx - 300):
            shadow(cv, bxx, 140, 7 - bh / 8, 2, shade(rgb("86c95f"), 0.82))
            ball(cv, bxx, 132 - bh, 7, spin=t * 12)
        for xx in (x, x - 300):
            draw_dog(cv, TERRIER, dict(x=xx, y=112 + bob, feet=feet, body_rot=0.06 * wave(t * 6, 0.25), tail=1.0,
                                       mouth="open", jaw=0.35, tongue=5, ear_swing=0.5))
        frames.append(cv)
    return frames, 6


def gif_digging_dachshund(n=8):
    frames = []
    dirt = rgb("8a5a34")
    rng = Rng(7)
    clods = [(rng.uniform(0, 1), rng.uniform(30, 60), rng.uniform(-35, -55), rng.uniform(1.6, 3.0)) for _ in range(6)]
    for i in range(n):
        t = i / n
        cv = scene(rgb("fde7c4"), ground=rgb("9fcf73"))
        # the hole and the dirt pile
        cv.fill(Ellipse(42, 136, 26, 7), rgb("5a3a22"))
        cv.fill(Ellipse(42, 134, 20, 4), rgb("3c2616"))
        cv.group([(Ellipse(160, 132, 22, 9), dirt)], ow=1.4)
        cv.rect(135, 132, 186, 142, dirt)
        cv.rect(0, 140, WIDTH, 142, shade(rgb("9fcf73"), 0.85))
        cv.fill(Ellipse(150, 128, 3, 2), shade(dirt, 0.8))
        cv.fill(Ellipse(168, 131, 2.5, 1.6), shade(dirt, 0.8))
        ground = 12 * 0.35 + 14
        a = 2 * math.pi * t * 2
        feet = {
            "fn": (38 + 6 * math.cos(a), ground + 2 - 4 * max(0.0, math.sin(a))),
            "ff": (38 - 6 * math.cos(a), ground + 2 - 4 * max(0.0, -math.sin(a))),
        }
        # clods arc from the hole over the dog's back towards the pile
        for ph, dist, hgt, r in clods:
            p = (t * 2 + ph) % 1.0
            cx = 50 + p * (dist + 50)
            cy = 126 + hgt * 4 * p * (1 - p)  # hgt < 0: an upward arc
            cv.outlined(Ellipse(cx, cy, r, r * 0.8), dirt, ow=1.0)
        draw_dog(cv, DACHSHUND, dict(x=98, y=114, facing=-1, body_rot=0.16, head_rot=0.42, feet=feet,
                                     tail=1.0 + 0.35 * wave(t * 2), mouth="smile", brow=True,
                                     ear_swing=-0.35 + 0.1 * wave(t * 2)))
        frames.append(cv)
    return frames, 8


def gif_sleepy_basset(n=12):
    frames = []
    night = rgb("2d3a66")
    for i in range(n):
        t = i / n
        cv = Canvas(WIDTH, HEIGHT, night)
        cv.rect(0, 122, WIDTH, HEIGHT, rgb("4a3b5c"))
        cv.rect(0, 122, WIDTH, 124, rgb("3d3050"))
        # window with moon
        cv.rect(20, 14, 66, 60, rgb("f3e3a0"))
        cv.fill(Ellipse(48, 32, 10, 10), rgb("fff8d8"))
        cv.fill(Ellipse(53, 28, 9, 9), rgb("f3e3a0"))
        cv.rect(20, 36, 66, 38, rgb("6b5a7e"))
        cv.rect(42, 14, 44, 60, rgb("6b5a7e"))
        for (sx, sy) in ((30, 22), (58, 50), (28, 50)):
            cv.fill(Ellipse(sx, sy, 1.2, 1.2), WHITE)
        dog_bed(cv, 100, 132, 70, rgb("5aa0c8"))
        breath = 1.0 + 0.06 * wave(t)
        ground = 15 * 0.35 + 14
        feet = {"fn": (44, ground - 1), "ff": (40, ground - 2), "bn": (-20, ground - 1), "bf": (-14, ground - 2)}
        draw_dog(cv, BASSET, dict(x=92, y=124 - 2 * breath, breath=breath, feet=feet, body_rot=0.0,
                                  head_rot=0.3, head_dy=9, eyes="sleep", mouth="smile", tail=0.15,
                                  ear_swing=0.35))
        cv.group([(Ellipse(100, 138, 70, 7), rgb("5aa0c8"))], ow=1.5)  # bed rim in front of the paws
        for k in range(3):
            p = (t + k / 3) % 1.0
            zs = 5 + 6 * p
            zx = 150 + 18 * p + 4 * math.sin(2 * math.pi * p)
            zy = 92 - 55 * p
            letter_z(cv, zx, zy, zs, rgb("cfe0ff"), width=1.5 + p)
        frames.append(cv)
    return frames, 14


def gif_shaking_labrador(n=8):
    frames = []
    sky = rgb("bde6ef")
    water = rgb("5bb4e5")
    rng = Rng(11)
    drops = [(rng.uniform(0, 2 * math.pi), rng.uniform(0, 1)) for _ in range(10)]
    for i in range(n):
        t = i / n
        cv = scene(sky, ground=rgb("a8d98a"))
        cv.fill(Ellipse(100, 146, 62, 7), shade(water, 1.35))  # puddle
        cv.fill(Ellipse(100, 146, 50, 4), shade(water, 1.15))
        sway = 0.22 * wave(t * 2)
        for ang, ph in drops:
            p = (t * 2 + ph) % 1.0
            r = 46 + 40 * p
            dx, dy = math.cos(ang) * r, math.sin(ang) * r * 0.7
            cx, cy = 100 + dx, 76 + dy - 10
            cv.outlined(Ellipse(cx, cy, 2.4, 3.2, math.pi / 2 + ang * 0), water, outline=shade(water, 0.6), ow=1.0)
        # motion arcs
        for sx in (-1, 1):
            for k in range(2):
                ax_ = 100 + sx * (50 + 7 * k)
                cv.line(ax_, 72 - 10 + k * 4, ax_ + sx * 2, 84 + k * 4, 1.6, shade(sky, 0.8))
        draw_front_dog(cv, LAB, dict(x=100, y=144, s=1.05, sway=sway * 0.5, tilt=-sway * 1.1, head_dx=sway * 36,
                                     ear_flap=0.9 * abs(wave(t * 2)), eyes="shut", tongue=0,
                                     tail=1.0 + 0.6 * wave(t * 2)))
        frames.append(cv)
    return frames, 6


def gif_jumping_dalmatian(n=16):
    frames = []
    sky = rgb("ffd9c2")
    for i in range(n):
        t = i / n
        cv = scene(sky, ground=rgb("8fcf72"))
        cv.fill(Ellipse(34, 30, 15, 15), rgb("ffb37a"))
        # hurdle
        cv.rect(92, 110, 96, 142, rgb("ffffff"))
        cv.rect(104, 110, 108, 142, rgb("ffffff"))
        cv.group([(Capsule(86, 110, 114, 110, 3.2, 3.2), RED)], ow=1.4)
        p = t
        x = -30 + p * 260
        h = max(0.0, 44 * math.sin(math.pi * min(1.0, max(0.0, (p - 0.22) / 0.5))))
        ground = 13.5 * 0.35 + 31
        air = h > 2
        phase = (p - 0.22) / 0.5
        if air:
            stretch = math.cos(math.pi * phase)
            feet = {"fn": (26 + 6 * stretch, ground - 16 - 4 * stretch), "ff": (29 + 6 * stretch, ground - 14 - 4 * stretch),
                    "bn": (-30 - 6 * stretch, ground - 10), "bf": (-26 - 6 * stretch, ground - 12)}
            rot = -0.35 * stretch
        else:
            feet = {}
            for leg_name, ph, hx in (("bn", 0.0, -18), ("bf", 0.1, -15.5), ("fn", 0.5, 17), ("ff", 0.6, 19.2)):
                th = 2 * math.pi * (t * 6 + ph)
                feet[leg_name] = (hx + 9 * math.cos(th), ground - 6 * max(0.0, -math.sin(th)))
            rot = 0.0
        shadow(cv, x, 142, 30 - h / 4, 3, shade(rgb("8fcf72"), 0.82))
        draw_dog(cv, DALMATIAN, dict(x=x, y=101 - h, feet=feet, body_rot=rot, head_rot=-rot * 0.5, tail=0.5,
                                     mouth="open", jaw=0.3, tongue=4, ear_swing=0.6 if air else 0.25))
        frames.append(cv)
    return frames, 6


def gif_howling_husky(n=12):
    frames = []
    night = rgb("1f2a4d")
    for i in range(n):
        t = i / n
        cv = Canvas(WIDTH, HEIGHT, night)
        for (sx, sy, r) in ((20, 20, 1.2), (70, 12, 1.0), (110, 30, 1.3), (180, 70, 1.0), (12, 70, 1.0),
                            (96, 60, 0.9), (140, 10, 1.1)):
            tw = 1.0 + 0.6 * max(0.0, wave(t, sx / 50.0))
            cv.fill(Ellipse(sx, sy, r * tw, r * tw), rgb("fff6c8"))
        cv.fill(Ellipse(160, 34, 20, 20), rgb("fff3c4"))
        cv.fill(Ellipse(154, 28, 4, 3), rgb("efe0a8"))
        cv.fill(Ellipse(168, 42, 3, 2.4), rgb("efe0a8"))
        # a hill
        cv.fill(Ellipse(100, 190, 150, 64), rgb("3c5a4a"))
        howl = max(0.0, math.sin(2 * math.pi * t)) ** 0.6
        draw_dog(cv, HUSKY, dict(x=78, y=146, sit=True, body_rot=-0.8, head_rot=0.7 - 0.8 * howl,
                                 mouth="open" if howl > 0.15 else "smile", jaw=0.2 + 0.6 * howl,
                                 eyes="sleep" if howl > 0.3 else "open", tail=0.95, tail_bend=0.08,
                                 ear_swing=0.25 * howl))
        # sound arcs
        if howl > 0.15:
            for k in range(3):
                rr = 8 + k * 7 + 5 * howl
                for j in range(5):
                    a0 = -1.9 + j * 0.18
                    a1 = a0 + 0.12
                    cx, cy = 128, 40
                    cv.line(cx + rr * math.cos(a0) + 12, cy + rr * math.sin(a0) + 22,
                            cx + rr * math.cos(a1) + 12, cy + rr * math.sin(a1) + 22, 1.6, rgb("cfe0ff"))
        frames.append(cv)
    return frames, 11


def gif_golden_with_bone(n=8):
    frames = []
    for i in range(n):
        t = i / n
        cv = scene(rgb("cdeafe"), ground=rgb("92cd66"), tufts=False)
        for k in range(4):
            gx = (k * 60 - t * 60) % 240 - 20
            _tuft(cv, gx, 146, shade(rgb("92cd66"), 0.8))
        ground = 15 * 0.35 + 30
        feet = {}
        for leg_name, ph, hx in (("bn", 0.0, -18), ("fn", 0.25, 17), ("bf", 0.5, -15.5), ("ff", 0.75, 19.6)):
            th = 2 * math.pi * (t + ph)
            feet[leg_name] = (hx + 7 * math.cos(th), ground - 5 * max(0.0, -math.sin(th)))
        shadow(cv, 98, 141, 44, 3.5, shade(rgb("92cd66"), 0.82))
        draw_dog(cv, GOLDEN, dict(x=94, y=100 - 1.2 * abs(wave(t * 2)), feet=feet, tail=0.75 + 0.35 * wave(t * 2),
                                  tail_bend=-0.08, head_rot=0.03 * wave(t * 2), bone=True, mouth="smile",
                                  ear_swing=0.1 * wave(t * 2)))
        frames.append(cv)
    return frames, 9


def gif_curious_spaniel(n=12):
    frames = []
    for i in range(n):
        t = i / n
        cv = scene(rgb("e4dcf7"), ground=rgb("c9b79a"), tufts=False, horizon=126)
        # wall picture frame
        cv.group([(Poly([(140, 24), (184, 24), (184, 60), (140, 60)]), rgb("fff8e6"))], ow=2)
        cv.fill(Ellipse(162, 50, 14, 6), rgb("9fd27a"))
        cv.fill(Ellipse(170, 34, 5, 5), rgb("ffc857"))
        tilt = 0.22 * math.sin(2 * math.pi * t)
        draw_dog(cv, SPANIEL, dict(x=82, y=142, sit=True, body_rot=-0.75, head_rot=0.7 + tilt, tail=0.9,
                                   ear_swing=-tilt * 0.8, mouth="smile", brow=True))
        # a question mark that pops in and out
        q = max(0.0, math.sin(2 * math.pi * t))
        if q > 0.2:
            qx, qy, sc = 132, 40, 0.6 + 0.4 * q
            pts = [(qx - 6 * sc, qy - 4 * sc), (qx - 3 * sc, qy - 10 * sc), (qx + 3 * sc, qy - 10 * sc),
                   (qx + 6 * sc, qy - 5 * sc), (qx + 2 * sc, qy + 1 * sc), (qx, qy + 5 * sc)]
            for a_, b_ in zip(pts, pts[1:]):
                cv.line(a_[0], a_[1], b_[0], b_[1], 3.2 * sc + 0.6, rgb("6a4fc2"))
            cv.fill(Ellipse(qx, qy + 11 * sc, 2.2 * sc + 0.5, 2.2 * sc + 0.5), rgb("6a4fc2"))
        frames.append(cv)
    return frames, 10


def gif_panting_shiba(n=8):
    frames = []
    for i in range(n):
        t = i / n
        cv = scene(rgb("ffe9a8"), ground=rgb("9fd37d"))
        cv.fill(Ellipse(30, 28, 16, 16), rgb("ffcf4d"))
        for k in range(8):
            a = k * math.pi / 4 + t * math.pi / 4
            cv.line(30 + 20 * math.cos(a), 28 + 20 * math.sin(a), 30 + 26 * math.cos(a), 28 + 26 * math.sin(a),
                    2.2, rgb("ffcf4d"))
        pant = wave(t * 2)
        draw_dog(cv, SHIBA, dict(x=92, y=142, sit=True, body_rot=-0.75, head_rot=0.72 + 0.03 * pant,
                                 tail=1.9 + 0.12 * wave(t), breath=1.0 + 0.04 * pant, mouth="open",
                                 jaw=0.35 + 0.08 * pant, tongue=8 + 2 * pant, eyes="happy"))
        frames.append(cv)
    return frames, 7


def gif_play_bowing_collie(n=10):
    frames = []
    for i in range(n):
        t = i / n
        cv = scene(rgb("d3f0e0"), ground=rgb("8cc96a"))
        cloud(cv, 48, 26, 0.8)
        bow = 0.5 - 0.5 * math.cos(2 * math.pi * t)   # 0 standing -> 1 bowing
        ground = 15 * 0.35 + 29
        feet = {"fn": (18 + 18 * bow, ground), "ff": (22 + 18 * bow, ground), "bn": (-17, ground), "bf": (-14, ground)}
        yb = 100 + 9 * bow
        rot = 0.5 * bow
        _bone(cv, Affine(), 152, 138, 16, -0.2)
        draw_dog(cv, COLLIE, dict(x=92, y=yb, body_rot=rot, head_rot=-rot * 0.9, feet=feet,
                                  tail=1.0 + 0.5 * wave(t * 3), tail_bend=-0.05, mouth="open",
                                  jaw=0.25 + 0.15 * bow, tongue=3 + 3 * bow, ear_swing=0.1 * bow))
        frames.append(cv)
    return frames, 8


CATALOG = [
    ("wagging-beagle", "Wagging beagle", gif_wagging_beagle),
    ("zooming-corgi", "Zooming corgi", gif_zooming_corgi),
    ("bouncy-puppy", "Bouncy puppy", gif_bouncy_puppy),
    ("blinking-pug", "Blinking pug", gif_blinking_pug),
    ("ball-chasing-terrier", "Terrier chasing a ball", gif_ball_chasing_terrier),
    ("digging-dachshund", "Digging dachshund", gif_digging_dachshund),
    ("sleepy-basset", "Sleepy basset hound", gif_sleepy_basset),
    ("shaking-labrador", "Labrador shaking off water", gif_shaking_labrador),
    ("jumping-dalmatian", "Jumping dalmatian", gif_jumping_dalmatian),
    ("howling-husky", "Husky howling at the moon", gif_howling_husky),
    ("golden-with-bone", "Golden retriever with a bone", gif_golden_with_bone),
    ("curious-spaniel", "Curious spaniel", gif_curious_spaniel),
    ("panting-shiba", "Panting shiba inu", gif_panting_shiba),
    ("play-bowing-collie", "Play-bowing border collie", gif_play_bowing_collie),
]


# ---------------------------------------------------------------------------
# GIF89a encoder
# ---------------------------------------------------------------------------


def lzw_encode(indices: bytes, min_code_size: int) -> bytes:
    """GIF-flavoured variable-width LZW (codes up to 12 bits, LSB-first packing)."""
    clear = 1 << min_code_size
    eoi = clear + 1
    out = bytearray()
    acc = 0
    nbits = 0
    code_size = min_code_size + 1
    next_code = eoi + 1
    table: dict[int, int] = {}

    def emit(code: int, size: int) -> None:
        nonlocal acc, nbits
        acc |= code << nbits
        nbits += size
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8

    emit(clear, code_size)
    if not indices:
        emit(eoi, code_size)
        if nbits:
            out.append(acc & 0xFF)
        return bytes(out)
    prefix = indices[0]
    for px in indices[1:]:
        key = (prefix << 8) | px
        code = table.get(key)
        if code is not None:
            prefix = code
            continue
        emit(prefix, code_size)
        # The decoder widens its codes once its table reaches 2**code_size entries;
        # it lags the encoder by one entry, so check before adding ours.
        if next_code >= (1 << code_size) and code_size < 12:
            code_size += 1
        table[key] = next_code
        next_code += 1
        if next_code == 4096:  # table full: start over
            emit(clear, code_size)
            table.clear()
            code_size = min_code_size + 1
            next_code = eoi + 1
        prefix = px
    emit(prefix, code_size)
    if next_code >= (1 << code_size) and code_size < 12:
        code_size += 1
    emit(eoi, code_size)
    if nbits:
        out.append(acc & 0xFF)
    return bytes(out)


def _sub_blocks(data: bytes) -> bytes:
    out = bytearray()
    for i in range(0, len(data), 255):
        chunk = data[i:i + 255]
        out.append(len(chunk))
        out += chunk
    out.append(0)
    return bytes(out)


def encode_gif(frames: list[Canvas], delay: int) -> bytes:
    w, h = frames[0].w, frames[0].h
    palette: dict[tuple[int, int, int], int] = {}
    for f in frames:
        for c in f.pix:
            if c not in palette:
                palette[c] = len(palette)
    # Stable palette order: sort the colours, keep one extra slot for transparency.
    colors = sorted(palette)
    if len(colors) > 255:
        raise ValueError(f"too many colours: {len(colors)}")
    index = {c: i for i, c in enumerate(colors)}
    transparent = len(colors)
    n = 0
    while (2 << n) < len(colors) + 1:
        n += 1
    table_size = 2 << n
    min_code = max(2, n + 1)

    out = bytearray(b"GIF89a")
    out += w.to_bytes(2, "little") + h.to_bytes(2, "little")
    out += bytes([0x80 | (7 << 4) | n, 0, 0])
    for c in colors:
        out += bytes(c)
    out += bytes(3 * (table_size - len(colors)))
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever

    prev: list[int] | None = None
    for f in frames:
        cur = [index[c] for c in f.pix]
        if prev is None:
            x0, y0, x1, y1 = 0, 0, w - 1, h - 1
        else:
            changed = [i for i in range(w * h) if cur[i] != prev[i]]
            if not changed:
                x0 = y0 = x1 = y1 = 0
            else:
                ys = [i // w for i in changed]
                xs = [i % w for i in changed]
                x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        rw, rh = x1 - x0 + 1, y1 - y0 + 1
        plain = bytearray()
        keyed = bytearray()
        for yy in range(y0, y1 + 1):
            row = yy * w
            for xx in range(x0, x1 + 1):
                v = cur[row + xx]
                plain.append(v)
                keyed.append(transparent if prev is not None and prev[row + xx] == v else v)
        data_plain = lzw_encode(bytes(plain), min_code)
        data_keyed = lzw_encode(bytes(keyed), min_code) if prev is not None else None
        use_keyed = data_keyed is not None and len(data_keyed) < len(data_plain)
        data = data_keyed if use_keyed else data_plain
        # Graphic Control Extension: disposal 1 (keep), optional transparent index.
        packed = (1 << 2) | (1 if use_keyed else 0)
        out += bytes([0x21, 0xF9, 4, packed]) + delay.to_bytes(2, "little")
        out += bytes([transparent if use_keyed else 0, 0])
        out += b"\x2c" + x0.to_bytes(2, "little") + y0.to_bytes(2, "little")
        out += rw.to_bytes(2, "little") + rh.to_bytes(2, "little") + b"\x00"
        out.append(min_code)
        out += _sub_blocks(data)
        prev = cur
    out.append(0x3B)
    return bytes(out)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def build() -> list[tuple[str, str, int, int, bytes]]:
    results = []
    for slug, title, fn in CATALOG:
        frames, delay = fn()
        data = encode_gif(frames, delay)
        if len(data) >= MAX_BYTES:
            raise SystemExit(f"{slug}: {len(data)} bytes is over the {MAX_BYTES} byte budget")
        results.append((slug + ".gif", title, frames[0].w, frames[0].h, data))
    return results


def catalog_json(results) -> bytes:
    entries = [
        {"file": name, "title": title, "width": w, "height": h, "sha256": hashlib.sha256(data).hexdigest()}
        for name, title, w, h, data in results
    ]
    return (json.dumps(entries, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def main(argv=None) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(os.path.dirname(here), "Sources", "Persistence", "Seed")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=default_out, help="output folder (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the files on disk differ")
    args = ap.parse_args(argv)

    results = build()
    files = {os.path.join("gifs", name): data for name, _, _, _, data in results}
    files["catalog.json"] = catalog_json(results)

    if args.check:
        bad = []
        gif_dir = os.path.join(args.out, "gifs")
        if os.path.isdir(gif_dir):
            for name in sorted(os.listdir(gif_dir)):
                if name.endswith(".gif") and os.path.join("gifs", name) not in files:
                    bad.append(os.path.join("gifs", name) + " (not in the catalog)")
        for rel, data in sorted(files.items()):
            path = os.path.join(args.out, rel)
            try:
                with open(path, "rb") as fh:
                    if fh.read() != data:
                        bad.append(rel)
            except FileNotFoundError:
                bad.append(rel)
        for rel in bad:
            print(f"out of date: {rel}", file=sys.stderr)
        return 1 if bad else 0

    os.makedirs(os.path.join(args.out, "gifs"), exist_ok=True)
    for rel, data in sorted(files.items()):
        path = os.path.join(args.out, rel)
        tmp = path + ".tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    total = 0
    for name, title, w, h, data in results:
        total += len(data)
        print(f"{name:28} {len(data):6d} bytes  {w}x{h}  {title}")
    print(f"{len(results)} GIFs, {total} bytes in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
