"""The body map's drawing: every region of the item bank drawn once, on the right side."""

from __future__ import annotations

from nervetjek.intake import bodymap, load_item_bank


def test_body_map_has_every_region_once():
    assert set(load_item_bank().regions) <= set(bodymap._geometry())  # every region drawn
    view = bodymap.view(["left.calf", "lower_back"], "da")
    codes = [r.code for d in view.drawings for r in d.regions]
    assert sorted(codes) == sorted(load_item_bank().regions) and len(codes) == 31
    assert [r.code for r in view.chosen] == ["lower_back", "left.calf"]
    # From the front the person's right leg is drawn on the viewer's left (smaller x).
    front = {r.code: r for r in view.drawings[0].regions}
    right_x = float(front["right.knee"].shapes[0].cx)
    left_x = float(front["left.knee"].shapes[0].cx)
    assert right_x < left_x
    back = {r.code: r for r in view.drawings[1].regions}

    def first_x(region):
        return float(region.shapes[0].points.split(",")[0])

    assert first_x(back["left.calf"]) < first_x(back["right.calf"])  # from the back: as is
