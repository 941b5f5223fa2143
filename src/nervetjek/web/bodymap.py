"""The body map: geometry of the leg drawing and a view model for the template macro.

Two drawings, each 220 x 440 units: the legs seen from the front and from the back.
Every intake-v1 region (31 codes) is one shape group in exactly one drawing, so each
can be clicked and focused once.  Shapes are drawn for one leg in local coordinates
(``u`` grows towards the outside of that leg, ``y`` downwards) and mirrored onto both.

From the front the person's right leg is on the viewer's left; from the back it is on
the viewer's right.  The drawings say so in words.

Use from any page::

    {% from "macros/bodymap.html" import body_map %}
    {{ body_map(bodymap_view(locations, lang), _) }}

where ``bodymap_view`` is :func:`view` (pass it in the template context).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from nervetjek.intake import load_item_bank

WIDTH, HEIGHT = 220, 440
# Leg centre lines (x) in a drawing: the viewer's left leg and the viewer's right leg.
LEG_X = {"viewer_left": 62.0, "viewer_right": 158.0}
MIDLINE = 110.0

# One leg, front view.  u > 0 is the outer (lateral) side, u < 0 the inner side.
# Kind "poly": [(u, y), ...]; kind "ellipse": (u, y, rx, ry).
FRONT: dict[str, list[tuple[str, object]]] = {
    "groin": [("poly", [(-44, 36), (4, 36), (-8, 58), (-42, 62)])],
    "thigh_front": [("poly", [(-42, 62), (-8, 58), (4, 36), (18, 36), (14, 186), (-25, 186)])],
    "thigh_outer": [("poly", [(18, 36), (42, 36), (40, 70), (27, 186), (14, 186)])],
    "knee": [("ellipse", (0, 204, 25, 17))],
    "shin_inner": [("poly", [(-23, 222), (0, 222), (0, 336), (-13, 336)])],
    "shin_outer": [("poly", [(0, 222), (25, 222), (22, 280), (13, 336), (0, 336)])],
    "ankle_inner": [("ellipse", (-15, 350, 10, 10))],
    "foot_top": [("poly", [(-6, 342), (12, 342), (16, 392), (-20, 392), (-21, 362)])],
    "foot_outer_edge": [("poly", [(12, 342), (20, 346), (34, 396), (16, 392)])],
    "toes": [
        ("poly", [(-22, 396), (-6, 396), (-6, 424), (-20, 424)]),
        ("poly", [(10, 396), (35, 400), (32, 424), (10, 424)]),
    ],
    "between_toes": [("poly", [(-5, 396), (9, 396), (9, 424), (-5, 424)])],
}

# One leg, back view.
BACK: dict[str, list[tuple[str, object]]] = {
    "buttock": [("ellipse", (-1, 76, 43, 32))],
    "thigh_back": [("poly", [(-42, 110), (42, 110), (28, 196), (-26, 196)])],
    "calf": [("poly", [(-25, 202), (28, 202), (26, 280), (13, 336), (-13, 336), (-24, 280)])],
    "foot_sole": [("poly", [(-14, 344), (14, 344), (20, 380), (16, 426), (-16, 426), (-19, 380)])],
}

LOWER_BACK = [("poly", [(40, 4), (180, 4), (184, 40), (36, 40)])]
# Not a region: the hips above the legs in the front view, so the drawing reads as a body.
HIPS = "26,4 194,4 204,36 16,36"


@dataclass(frozen=True)
class Shape:
    kind: str  # "poly" or "ellipse"
    points: str = ""  # for poly: "x,y x,y ..."
    cx: float = 0.0
    cy: float = 0.0
    rx: float = 0.0
    ry: float = 0.0


@dataclass(frozen=True)
class Region:
    code: str  # lower_back, left.calf, ...
    label: str
    selected: bool
    shapes: tuple[Shape, ...]


@dataclass(frozen=True)
class Drawing:
    id: str  # "front" or "back"
    viewer_left: str  # the person's side drawn on the viewer's left: "right" or "left"
    viewer_right: str
    regions: tuple[Region, ...]
    outline: str = ""  # points of a non-clickable body part drawn behind the regions


@dataclass(frozen=True)
class BodyMapView:
    lang: str
    drawings: tuple[Drawing, ...]
    regions: tuple[Region, ...]  # every region in contract order (for the checkbox list)
    chosen: tuple[Region, ...]

    @property
    def groups(self) -> list[tuple[str, list[Region]]]:
        """Regions for the checkbox list: ("back", ...), ("right", ...), ("left", ...)."""
        return [
            ("back", [r for r in self.regions if "." not in r.code]),
            ("right", [r for r in self.regions if r.code.startswith("right.")]),
            ("left", [r for r in self.regions if r.code.startswith("left.")]),
        ]


def _fmt(value: float) -> str:
    return f"{value:g}"


def _place(spec: tuple[str, object], centre: float, outward: int) -> Shape:
    kind, data = spec
    if kind == "ellipse":
        u, y, rx, ry = data  # type: ignore[misc]
        return Shape("ellipse", cx=centre + outward * u, cy=y, rx=rx, ry=ry)
    points = " ".join(f"{_fmt(centre + outward * u)},{_fmt(y)}" for u, y in data)  # type: ignore[union-attr]
    return Shape("poly", points=points)


def _absolute(spec: tuple[str, object]) -> Shape:
    _kind, data = spec
    return Shape("poly", points=" ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in data))  # type: ignore[union-attr]


@cache
def _geometry() -> dict[str, tuple[str, tuple[Shape, ...]]]:
    """Region code -> (drawing id, shapes)."""
    shapes: dict[str, tuple[str, tuple[Shape, ...]]] = {}
    # Front: the person's right leg is on the viewer's left (its outside is to the left).
    for side, centre, outward in (
        ("right", LEG_X["viewer_left"], -1),
        ("left", LEG_X["viewer_right"], 1),
    ):
        for name, specs in FRONT.items():
            shapes[f"{side}.{name}"] = ("front", tuple(_place(s, centre, outward) for s in specs))
    # Back: the person's left leg is on the viewer's left.
    for side, centre, outward in (
        ("left", LEG_X["viewer_left"], -1),
        ("right", LEG_X["viewer_right"], 1),
    ):
        for name, specs in BACK.items():
            shapes[f"{side}.{name}"] = ("back", tuple(_place(s, centre, outward) for s in specs))
    shapes["lower_back"] = ("back", tuple(_absolute(s) for s in LOWER_BACK))
    return shapes


def missing_regions() -> list[str]:
    """Regions of the item bank without a shape (a test keeps this empty)."""
    geometry = _geometry()
    return [code for code in load_item_bank().regions if code not in geometry]


def _in_reading_order(regions: list[Region], viewer_left: str) -> tuple[Region, ...]:
    """Tab order follows the drawing: unsided first, then the leg on the viewer's left."""

    def rank(region: Region) -> int:
        side = region.code.partition(".")[0] if "." in region.code else ""
        return 0 if not side else 1 if side == viewer_left else 2

    return tuple(sorted(regions, key=rank))


def view(locations: Iterable[str] | None, lang: str = "da") -> BodyMapView:
    """The body map with the chosen regions marked, in one language."""
    bank = load_item_bank()
    chosen = set(locations or ())
    geometry = _geometry()
    regions = tuple(
        Region(code, bank.region_label(code, lang), code in chosen, geometry[code][1])
        for code in bank.regions
        if code in geometry
    )
    drawings = tuple(
        Drawing(
            drawing,
            "right" if drawing == "front" else "left",
            "left" if drawing == "front" else "right",
            _in_reading_order(
                [r for r in regions if geometry[r.code][0] == drawing],
                "right" if drawing == "front" else "left",
            ),
            HIPS if drawing == "front" else "",
        )
        for drawing in ("front", "back")
    )
    return BodyMapView(lang, drawings, regions, tuple(r for r in regions if r.selected))
