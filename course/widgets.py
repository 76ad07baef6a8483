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


def interactive_figure(
    draw: Callable[..., Figure], **controls: widgets.ValueWidget
) -> widgets.VBox:
    """Controls plus a picture of ``draw(**values)``, redrawn whenever a control changes.

    ``draw`` receives each control's value under the control's keyword and returns a Figure.
    Display the returned box with ``IPython.display.display``.
    """
    if not controls:
        raise ValueError("interactive_figure needs at least one control, e.g. w=FloatSlider()")
    picture = widgets.Image(format="png")

    def redraw(_change: object = None) -> None:
        picture.value = figure_png(draw(**{name: c.value for name, c in controls.items()}))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox(list(controls.values())), picture])
