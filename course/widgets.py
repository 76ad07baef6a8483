"""Interactive figures: controls that redraw a Matplotlib figure while the student moves them.

The figure is shown as a PNG in an ``ipywidgets.Image``, not through ``ipywidgets.interact``:
``interact`` captures output in an Output widget, which can stall the headless execution that
nbgrader and the test suite use (nbclient issue #312). An image widget never does, and the
notebook still shows the first picture when it is rendered without a kernel.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes; the figure is closed so it is not also shown below the cell."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


CONTROL_WIDTH = "340px"  # wide enough to drag a slider precisely; two fit side by side
PICTURE_MAX_HEIGHT = "450px"  # the controls and the picture fit on a laptop screen together


def _fit_control(control: widgets.ValueWidget) -> None:
    """Give a control a usable width and a description label as wide as its text.

    Left alone, controls in a row shrink to share it, and a slider's track can end up a few
    dozen pixels long; a width the caller chose is kept.
    """
    if control.layout.width is None:
        control.layout.width = CONTROL_WIDTH
    style = getattr(control, "style", None)
    if style is not None and hasattr(style, "description_width") and not style.description_width:
        style.description_width = "initial"


def interactive_figure(
    draw: Callable[..., Figure], **controls: widgets.ValueWidget
) -> widgets.VBox:
    """Controls plus a picture of ``draw(**values)``, redrawn whenever a control changes.

    ``draw`` receives each control's value under the control's keyword and returns a Figure.
    The controls wrap onto several rows instead of shrinking, and the picture keeps its own
    size (never stretched to the cell's width), scaled down to the cell's width and to
    ``PICTURE_MAX_HEIGHT`` when it is larger. Display the returned box with
    ``IPython.display.display``.
    """
    if not controls:
        raise ValueError("interactive_figure needs at least one control, e.g. w=FloatSlider()")
    picture = widgets.Image(
        format="png",
        layout=widgets.Layout(
            max_width="100%", max_height=PICTURE_MAX_HEIGHT, object_fit="contain"
        ),
    )

    def redraw(_change: object = None) -> None:
        picture.value = figure_png(draw(**{name: c.value for name, c in controls.items()}))

    for control in controls.values():
        _fit_control(control)
        control.observe(redraw, names="value")
    redraw()
    row = widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
    return widgets.VBox([row, picture], layout=widgets.Layout(align_items="flex-start"))
