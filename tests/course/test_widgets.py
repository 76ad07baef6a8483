"""course.widgets redraws its picture whenever a control moves."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from course.widgets import figure_png, interactive_figure  # noqa: E402


def line(slope: float, label: str):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, slope], label=label)
    ax.set(title=f"slope {slope}", xlabel="x", ylabel="y")
    return fig


def test_figure_png_is_a_png_and_closes_the_figure():
    fig = line(1.0, "a")
    data = figure_png(fig)
    assert data.startswith(b"\x89PNG")
    assert not plt.fignum_exists(fig.number)


def test_interactive_figure_redraws_on_every_change():
    calls = []

    def draw(slope, label):
        calls.append((slope, label))
        return line(slope, label)

    slope = widgets.FloatSlider(value=1.0, min=0, max=2)
    label = widgets.Dropdown(options=["a", "b"], value="a")
    box = interactive_figure(draw, slope=slope, label=label)
    picture = box.children[1]
    first = bytes(picture.value)
    assert first.startswith(b"\x89PNG") and calls == [(1.0, "a")]
    slope.value = 2.0
    label.value = "b"
    assert calls == [(1.0, "a"), (2.0, "a"), (2.0, "b")]
    assert bytes(picture.value) != first
    assert list(box.children[0].children) == [slope, label]


def test_interactive_figure_needs_a_control():
    with pytest.raises(ValueError, match="at least one control"):
        interactive_figure(lambda: line(1.0, "a"))


def test_interactive_figure_sizes_controls_and_picture_for_a_laptop_screen():
    slider = widgets.FloatSlider(value=1.0, min=0, max=2, description="learning rate")
    chosen = widgets.IntSlider(value=1, layout=widgets.Layout(width="200px"))
    label = widgets.Dropdown(options=["a", "b"], value="a", description="label")
    box = interactive_figure(
        lambda slope, width, label: line(slope, label), slope=slider, width=chosen, label=label
    )
    row, picture = box.children
    # controls keep a usable width and wrap onto new rows instead of shrinking to share one
    assert slider.layout.width == label.layout.width == "340px"
    assert chosen.layout.width == "200px"  # a width the author chose is kept
    assert slider.style.description_width == label.style.description_width == "initial"
    assert row.layout.flex_flow == "row wrap"
    # the picture is not stretched to the cell's width, and never taller than 450 px
    assert box.layout.align_items == "flex-start"
    assert picture.layout.max_width == "100%"
    assert picture.layout.max_height == "450px"
    assert picture.layout.object_fit == "contain"
