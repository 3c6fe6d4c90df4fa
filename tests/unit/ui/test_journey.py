"""The home page's journey diagram (ui.journey.journey_graph): plain text, no Streamlit."""

from ui import journey


def test_the_journey_is_drawn_in_two_rows_with_a_loop_back():
    steps = [step.title.lower() for step in journey.JOURNEY[:-1]]
    dot = journey.journey_graph(steps)
    assert dot.startswith("digraph {") and dot.endswith("}")
    assert dot.count("{rank=same; ") == 2  # two rows of boxes, not one row a projector loses
    half = (len(steps) + 1) // 2
    assert " -> ".join(f'"{step}"' for step in steps[:half]) in dot
    assert " -> ".join(f'"{step}"' for step in steps[half:]) in dot
    assert f'"{steps[-1]}" -> "{steps[0]}" [label=" appended, repeat"' in dot
    assert all(f'"{step}"' in dot for step in steps)


def test_a_short_journey_still_has_every_edge():
    assert journey.journey_graph(["a", "b", "c"]).count("->") == 4  # a-b, a-c hidden, b-c, c-a


def test_a_phone_gets_two_boxes_a_row_in_the_journeys_order():
    steps = [step.title.lower() for step in journey.JOURNEY[:-1]]
    dot = journey.journey_graph(steps, per_row=2)
    assert dot.count("{rank=same; ") == (len(steps) + 1) // 2
    for first, second in zip(steps[::2], steps[1::2], strict=False):
        assert f'{{rank=same; "{first}" -> "{second}"}}' in dot
    assert f'"{steps[1]}" -> "{steps[2]}" [constraint=false]' in dot  # row to row, in order
