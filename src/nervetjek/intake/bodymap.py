"""The body map: where each region of the item bank is drawn, and its view model.

The drawing belongs to the region codes it shows (``locations`` in items.yaml), so it
lives beside them; the pages draw it with the ``macros/bodymap.html`` template macros
(``body_map`` for a result, ``body_map_input`` for the question), passing :func:`view`.

Two drawings, each 220 x 500 units: the legs seen from the front and from the back.
Every intake-v1 region (31 codes) is one shape group in exactly one drawing, so each
can be clicked and focused once.  Shapes are drawn for one leg in local coordinates
(``u`` grows towards the outside of that leg, ``y`` downwards) and mirrored onto both.

From the front the person's right leg is on the viewer's left; from the back it is on
the viewer's right.  The drawings say so in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from nervetjek.intake.bank import load_item_bank

# Leg centre lines (x) in a drawing: the viewer's left leg and the viewer's right leg.
LEG_X = {"viewer_left": 62.0, "viewer_right": 158.0}
# The smallest region is 30 x 30 units: at 375 px the drawing is 343 px wide (1.56 px a
# unit), so every region is at least 46 px across, above the 44 px touch target.  Regions
# are simple convex shapes that do not overlap, so the centre of each is inside it (a
# test checks both in Chromium).  The drawing is a schematic, not an anatomy atlas: the
# foot is drawn large so its five regions can be told apart by a finger.

# One leg, front view.  u > 0 is the outer (lateral) side, u < 0 the inner side.
# Kind "poly": [(u, y), ...]; kind "ellipse": (u, y, rx, ry).
FRONT: dict[str, list[tuple[str, object]]] = {
    "groin": [("poly", [(-46, 38), (12, 38), (12, 74), (-46, 74)])],
    "thigh_front": [("poly", [(-46, 74), (12, 74), (12, 188), (-40, 188)])],
    "thigh_outer": [("poly", [(12, 38), (46, 38), (42, 188), (12, 188)])],
    "knee": [("ellipse", (0, 208, 34, 18))],
    "shin_inner": [("poly", [(-34, 228), (0, 228), (0, 330), (-30, 330)])],
    "shin_outer": [("poly", [(0, 228), (34, 228), (30, 330), (0, 330)])],
    "ankle_inner": [("ellipse", (-30, 352, 16, 16))],
    "foot_top": [("poly", [(-13, 336), (17, 336), (17, 400), (-13, 400)])],
    "foot_outer_edge": [("poly", [(17, 336), (47, 342), (47, 400), (17, 400)])],
    "between_toes": [("poly", [(-46, 400), (47, 400), (47, 430), (-46, 430)])],
    "toes": [("poly", [(-46, 430), (47, 430), (44, 464), (-43, 464)])],
}

# One leg, back view.
BACK: dict[str, list[tuple[str, object]]] = {
    "buttock": [("ellipse", (0, 78, 44, 32))],
    "thigh_back": [("poly", [(-44, 114), (44, 114), (34, 200), (-32, 200)])],
    "calf": [("poly", [(-32, 206), (34, 206), (32, 280), (18, 336), (-18, 336), (-30, 280)])],
    "foot_sole": [("poly", [(-22, 344), (22, 344), (26, 390), (22, 440), (-22, 440), (-26, 390)])],
}

LOWER_BACK = [("poly", [(36, 4), (184, 4), (186, 42), (34, 42)])]
# Not a region: the hips above the legs in the front view, so the drawing reads as a body.
HIPS = "22,4 198,4 206,38 14,38"

# Short names written on the drawing (the full name is the region's label and aria-label).
MAP_LABELS: dict[str, dict[str, str]] = {
    "lower_back": {"da": "Lænd", "en": "Low back"},
    "buttock": {"da": "Balde", "en": "Buttock"},
    "thigh_back": {"da": "Lår", "en": "Thigh"},
    "calf": {"da": "Læg", "en": "Calf"},
    "foot_sole": {"da": "Sål", "en": "Sole"},
    "groin": {"da": "Lyske", "en": "Groin"},
    "thigh_front": {"da": "Lår", "en": "Thigh"},
    "thigh_outer": {"da": "Yder", "en": "Outer"},
    "knee": {"da": "Knæ", "en": "Knee"},
    "shin_inner": {"da": "Inder", "en": "Inner"},
    "shin_outer": {"da": "Yder", "en": "Outer"},
    "ankle_inner": {"da": "Ankel", "en": "Ankle"},
    "foot_top": {"da": "Fod", "en": "Foot"},
    "foot_outer_edge": {"da": "Kant", "en": "Edge"},
    "between_toes": {"da": "Mellem tæer", "en": "Between toes"},
    "toes": {"da": "Tæer", "en": "Toes"},
}


@dataclass(frozen=True)
class Shape:
    kind: str  # "poly" or "ellipse"
    points: str = ""  # for poly: "x,y x,y ..."
    cx: float = 0.0
    cy: float = 0.0
    rx: float = 0.0
    ry: float = 0.0

    def centre(self) -> tuple[float, float]:
        """The middle of the shape's bounding box (where its map label goes)."""
        if self.kind == "ellipse":
            return self.cx, self.cy
        xs, ys = zip(*(map(float, p.split(",")) for p in self.points.split()), strict=True)
        return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


@dataclass(frozen=True)
class Region:
    code: str  # lower_back, left.calf, ...
    label: str
    selected: bool
    shapes: tuple[Shape, ...]
    map_label: str = ""  # the short name written on the drawing

    @property
    def label_at(self) -> tuple[str, str]:
        x, y = self.shapes[0].centre()
        return _fmt(x), _fmt(y + 3)  # + 3: the text's middle, not its baseline


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
        Region(
            code,
            bank.region_label(code, lang),
            code in chosen,
            geometry[code][1],
            MAP_LABELS[code.rpartition(".")[2]][lang],
        )
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
