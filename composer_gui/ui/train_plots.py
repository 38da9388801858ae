"""The Train window's live plots (pyqtgraph) and the piano roll of the newest sample.

Four plots, as the seeds ask to watch a GAN learn: the critic's and the generator's
loss, the Wasserstein estimate (real minus fake critic score: it should fall as the
fakes get closer), the gradient penalty, and the validation metrics as a ratio to the
data's own values (1 is "like the data"; ``models/train_samples.py`` writes those
values).  pyqtgraph draws into the window's own scene, so an update costs a few
milliseconds, not a repainted image.  The sample is the model's accompaniment of one
fixed melody, melody first, in the track colours of the candidate rolls.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from composer_gui.ui import theme

METRIC_WORDS = {
    "val_pitch_classes_per_bar": "pitch classes a bar",
    "val_qualified_note_rate": "qualified notes",
    "val_polyphony": "polyphony",
    "val_in_key_ratio": "in key",
    "val_tonal_distance": "tonal distance",
    "val_empty_bar_rate": "empty bars",
}
PLOT_GROUPS = (  # the curves of one plot each, redrawn together
    ("critic_loss", "generator_loss"),
    ("wasserstein",),
    ("gradient_penalty",),
    tuple(METRIC_WORDS),
)
CURVE_COLOURS = ("#e5484d", "#3e9bff", "#46a758", "#f5a524", "#a972f0", "#12a5b0")


def _finite(rows: list[dict], key: str) -> tuple[np.ndarray, np.ndarray]:
    points = [
        (r["iteration"], r[key]) for r in rows if key in r and math.isfinite(r.get(key, math.nan))
    ]
    if not points:
        return np.zeros(0), np.zeros(0)
    x, y = zip(*points)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


class TrainPlots(QWidget):
    """``show_rows(rows, reference)`` after each new log row; ``show_sample(sample)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg.setConfigOptions(
            antialias=True,
            background=theme.PANEL.name(),
            foreground=theme.TEXT.name(),
            imageAxisOrder="row-major",
        )
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.loss_plot = self._plot("Critic and generator loss", grid, 0, 0)
        self._curve(self.loss_plot, "critic_loss", "critic", 0)
        self._curve(self.loss_plot, "generator_loss", "generator", 1)
        self.w_plot = self._plot("Wasserstein estimate", grid, 0, 1)
        self._curve(self.w_plot, "wasserstein", "real - fake score", 2)
        self.gp_plot = self._plot("Gradient penalty", grid, 1, 0)
        self._curve(self.gp_plot, "gradient_penalty", "penalty", 3)
        self.metric_plot = self._plot("Metrics, as a ratio to the data's own", grid, 1, 1)
        self.metric_plot.addItem(pg.InfiniteLine(1.0, angle=0, pen=pg.mkPen("#888", dash=[4, 4])))
        for i, (key, words) in enumerate(METRIC_WORDS.items()):
            self._curve(self.metric_plot, key, words, i, symbol="o")
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.sample_title = QLabel("What the model writes for one melody: no sample yet")
        column.addWidget(self.sample_title)
        self.sample_plot = pg.PlotWidget()
        self.sample_plot.setLabel("bottom", "step (16th notes)")
        self.sample_plot.setLabel("left", "pitch")
        self.sample_image = pg.ImageItem()
        self.sample_plot.addItem(self.sample_image)
        column.addWidget(self.sample_plot)
        grid.addWidget(box, 2, 0, 1, 2)
        self.sample_plot.setMinimumHeight(200)
        for row in range(3):
            grid.setRowStretch(row, 1)
        self.updates = 0  # how many times new rows came (tests look)
        self._rows: list[dict] = []
        self._reference: dict[str, float] = {}
        self._dirty: list[tuple[str, ...]] = []

    def _plot(self, title: str, grid: QGridLayout, row: int, column: int) -> pg.PlotItem:
        widget = pg.PlotWidget(title=title)
        widget.setMinimumHeight(150)
        widget.addLegend(offset=(-4, 4))
        widget.showGrid(x=True, y=True, alpha=0.2)
        widget.setLabel("bottom", "iteration")
        grid.addWidget(widget, row, column)
        return widget.getPlotItem()

    def _curve(self, plot, key: str, name: str, index: int, symbol: str | None = None) -> None:
        colour = CURVE_COLOURS[index % len(CURVE_COLOURS)]
        self.curves[key] = plot.plot(
            [], [], name=name, pen=pg.mkPen(colour, width=2), symbol=symbol,
            symbolSize=5, symbolBrush=colour,
        )  # fmt: skip

    def show_rows(self, rows: list[dict], reference: dict[str, float]) -> None:
        """Take new rows; ``paint_next`` draws them one plot per call.

        One plot a turn of the event loop: all four redrawn together cost 50-110 ms on
        two busy cores (bench_train_window_gap), one costs a quarter of that.
        """
        self._rows, self._reference = rows, reference
        self._dirty = list(PLOT_GROUPS)
        self.updates += 1

    @property
    def pending(self) -> bool:
        return bool(self._dirty)

    def paint_next(self) -> None:
        if not self._dirty:
            return
        keys = self._dirty.pop(0)
        for key in keys:
            x, y = _finite(self._rows, key)
            if key in METRIC_WORDS:
                data_value = self._reference.get(key, math.nan)
                if not (math.isfinite(data_value) and abs(data_value) > 1e-6):
                    x, y = np.zeros(0), np.zeros(0)  # no ratio to a value of zero
                y = y / data_value if len(y) else y
            self.curves[key].setData(x, y)

    def show_sample(self, sample: dict | None) -> None:
        if sample is None:
            self.sample_image.clear()
            self.sample_title.setText("What the model writes for one melody: no sample yet")
            return
        roll = np.asarray(sample["roll"]) > 0  # (track, step, pitch)
        n_tracks, n_steps, n_pitches = roll.shape
        image = np.full((n_pitches, n_steps, 3), theme.PANEL.getRgb()[:3], dtype=np.uint8)
        for track in range(n_tracks - 1, -1, -1):  # the melody drawn last, on top
            colour = theme.track_colour(track).getRgb()[:3]
            image[roll[track].T] = colour
        self.sample_image.setImage(image, levels=(0, 255))
        low = sample["lowest_pitch"]
        self.sample_image.setRect(QRectF(0, low, n_steps, n_pitches))
        bar = sample["steps_per_bar"]
        self.sample_plot.getAxis("bottom").setTickSpacing(major=bar, minor=bar / 4)
        self.sample_title.setText(
            f"What the model writes for one melody (melody first), at iteration "
            f"{sample['iteration']}"
        )
