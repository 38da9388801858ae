"""The Train window's live plots (pyqtgraph) and the piano roll of the newest sample.

Four plots, as the seeds ask to watch a GAN learn: the critic's and the generator's
loss, the Wasserstein estimate (real minus fake critic score: it should fall as the
fakes get closer), the gradient penalty, and the validation metrics as a ratio to the
data's own values (1 is "like the data"; ``models/train_samples.py`` writes those
values): the chorale layout's validation metrics, or a band's per track (notes a bar,
empty bars, the bass on a chord tone), whichever the run has.  pyqtgraph draws into the
window's own scene, so an update costs a few milliseconds, not a repainted image.  The
sample is the model's accompaniment of one fixed melody, melody first, in the track
colours of the candidate rolls, a chords track with all its notes; a band's drums are
drawn in a lane of their own under the pitches, one row a kit instrument.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from composer_gui.ui import theme
from models.pianoroll import LOWEST_PITCH, N_PITCHES
from models.tracks import DRUM_KIT

METRIC_WORDS = {
    "val_pitch_classes_per_bar": "pitch classes a bar",
    "val_qualified_note_rate": "qualified notes",
    "val_polyphony": "polyphony",
    "val_in_key_ratio": "in key",
    "val_tonal_distance": "tonal distance",
    "val_empty_bar_rate": "empty bars",
}
PLOT_GROUPS = (  # the curves of one plot each, redrawn together; then the metrics'
    ("critic_loss", "generator_loss"),
    ("wasserstein",),
    ("gradient_penalty",),
)
METRICS = ("metrics",)  # the metrics plot's curves, whichever the run has
SAMPLE = ("sample",)  # the newest sample, drawn in a turn of its own
CURVE_COLOURS = ("#e5484d", "#3e9bff", "#46a758", "#f5a524", "#a972f0", "#12a5b0")
RATIO_CEILING = 4.0  # a ratio drawn no higher (an untrained band writes 20x the drums)
# The metrics plot's height over its highest ratio drawn (at least 1, "like the data"):
# the curves in its lower half, its legend's three rows above them, where the legend
# hid the curves drawn at the top when the view ended there
LEGEND_ROOM = 2.0
LABEL_WIDTH_PIXELS = 30  # the plots' value labels: five characters at 9pt
DRUM_LANE_GAP = 3  # empty rows between the lowest pitch and the drums lane
EMPTY_ROLL_STEPS = 32  # the roll's width before a sample: two bars of 4/4
# A curve of more points than this is drawn one pixel wide: about one point in three
# pixels of a plot at the default window, where a noisy curve becomes a zigzag
DENSE_POINTS = 120


def _finite(rows: list[dict], key: str) -> tuple[np.ndarray, np.ndarray]:
    """The iterations and values of ``key`` where it has a finite value (a long run's
    thousands of rows in a few milliseconds: one pass each into numpy)."""
    x = np.fromiter((r["iteration"] for r in rows), dtype=float, count=len(rows))
    y = np.fromiter((r.get(key, math.nan) for r in rows), dtype=float, count=len(rows))
    finite = np.isfinite(y)
    return x[finite], y[finite]


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
        self.w_plot.getViewWidget().setToolTip(
            "How far the critic hears the model's music from the songs: its score of the "
            "songs less its score of the model's music. It should fall as the model "
            "learns, after an early rise while the critic itself learns."
        )
        self._curve(self.w_plot, "wasserstein", "real - fake score", 2)
        self.gp_plot = self._plot("Gradient penalty", grid, 1, 0)
        self._curve(self.gp_plot, "gradient_penalty", "penalty", 3)
        self.metric_plot = self._plot(
            f"Metrics ÷ the data's own (at most {RATIO_CEILING:g})", grid, 1, 1
        )
        self.metric_plot.addItem(pg.InfiniteLine(1.0, angle=0, pen=pg.mkPen("#888", dash=[4, 4])))
        self.metric_plot.enableAutoRange(axis="y", enable=False)
        self.metric_top = 0.0  # the metrics plot's top, set by _fit_metric_axis
        self._fit_metric_axis(1.0)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        self.sample_title = QLabel("What the model writes for one melody: no sample yet")
        # heard through the app's own output: the Train window asks the main window
        self.play_button = QPushButton("Play", enabled=False)
        self.play_button.setToolTip("Hear this sample: the melody and what the model wrote")
        title_row.addWidget(self.sample_title, 1)
        title_row.addWidget(self.play_button)
        column.addLayout(title_row)
        self.sample_plot = pg.PlotWidget()
        self.sample_plot.setLabel("bottom", "step (16th notes)")
        self.sample_plot.setLabel("left", "pitch")
        self.sample_image = pg.ImageItem()
        self.sample_plot.addItem(self.sample_image)
        for side in ("left", "bottom"):  # steps and pitches, never "(x0.001)" on an empty roll
            self.sample_plot.getAxis(side).enableAutoSIPrefix(False)
        self._show_empty_roll()
        self.drums_lane = False  # whether the sample on show has a band's drums
        # the model's tracks (``core.training_listen.run_tracks``): a track's colour is the
        # one the main window gives it (melody, then the model's tracks in their order)
        self.tracks: tuple = ()
        column.addWidget(self.sample_plot)
        grid.addWidget(box, 2, 0, 1, 2)
        self.sample_plot.setMinimumHeight(200)
        for row in range(3):
            grid.setRowStretch(row, 1)
        self.updates = 0  # how many times new rows came (tests look)
        self._rows: list[dict] = []
        self._reference: dict[str, float] = {}
        self._dirty: list[tuple[str, ...]] = []  # the work paint_next does, oldest first
        self._metric_rows: list[dict] = []
        self._sample: dict | None = None
        self._sample_image: tuple[np.ndarray, int] | None = None

    def _plot(self, title: str, grid: QGridLayout, row: int, column: int) -> pg.PlotItem:
        widget = pg.PlotWidget(title=title)
        widget.setMinimumHeight(150)
        # the metrics' legend holds up to nine (a band's): three columns, see-through
        wide = "Metrics" in title
        widget.addLegend(
            offset=(-4, 4), colCount=3 if wide else 1, labelTextSize="8pt" if wide else "9pt",
            verSpacing=-8 if wide else 0,
            brush=pg.mkBrush(*theme.PANEL.getRgb()[:3], 170),
        )  # fmt: skip
        widget.showGrid(x=True, y=True, alpha=0.2)
        widget.setLabel("bottom", "iteration")
        # the value labels' column starts wide enough for "-0.25" and never narrows: when
        # new labels changed its width, the plot was laid out again and painted twice
        # in one turn of the event loop (10-20 ms each; bench_train_window_gap --profile)
        axis = widget.getAxis("left")
        axis.setStyle(autoReduceTextSpace=False)
        axis.textWidth = max(axis.textWidth, LABEL_WIDTH_PIXELS)
        axis._updateWidth()  # pyqtgraph's own way of applying textWidth
        # the major ticks only, with their labels and grid lines: the minor ones' faint
        # grid lines and their labels were a third of a plot's paint, repainted at every
        # new row (benchmarks/bench_train_plots_paint.py), and the labels a musician reads
        # are the major ones
        for side in ("left", "bottom"):
            widget.getAxis(side).setStyle(maxTickLevel=0)
        grid.addWidget(widget, row, column)
        return widget.getPlotItem()

    def _curve(
        self, plot, key: str, name: str, index: int, symbol: str | None = None, pen=None
    ) -> None:
        colour = CURVE_COLOURS[index % len(CURVE_COLOURS)]
        curve = self.curves[key] = plot.plot(
            [], [], name=name, pen=pen or pg.mkPen(colour, width=2), symbol=symbol,
            symbolSize=5, symbolBrush=colour,
        )  # fmt: skip
        # a long run logs more rows than the plot has pixels: drawn as each pixel's
        # lowest and highest point ("peak"), a line looks the same and costs what a
        # short run's does; a zoomed-in view draws only what it shows
        curve.setDownsampling(auto=True, method="peak")
        curve.setClipToView(True)

    def show_rows(
        self,
        rows: list[dict],
        reference: dict[str, float],
        metric_rows: list[dict] | None = None,
    ) -> None:
        """Take new rows; ``paint_next`` draws them, one piece of work per call.

        ``metric_rows``: a band run's per-track metrics (one row a sample), where the
        log has no ``val_*`` columns; ``reference`` holds the data's value of each.
        One plot a turn of the event loop: all four redrawn together cost 50-110 ms on
        two busy cores (bench_train_window_gap), one costs a quarter of that.  A run's
        metrics get their curves when first seen, one curve a call too: a band's nine
        made at once, with their legend, held the event loop for 20 ms, and then the
        plots' paints came in the same turn.
        """
        self._rows, self._reference = rows, reference
        self._metric_rows = metric_rows if metric_rows is not None else rows
        for key in reference:
            if key not in self.curves and ("curve", key) not in self._dirty:
                if METRICS in self._dirty:  # the metrics are set once their curves exist
                    self._dirty.remove(METRICS)
                self._dirty.append(("curve", key))
        for group in (*PLOT_GROUPS, METRICS):
            if group not in self._dirty:
                self._dirty.append(group)
        self.updates += 1

    @property
    def pending(self) -> bool:
        return bool(self._dirty)

    def paint_next(self) -> None:
        """Do the oldest piece of work: make one curve, set one plot's curves, or show
        the newest sample; each is then painted in a turn of the event loop of its own."""
        if not self._dirty:
            return
        work = self._dirty.pop(0)
        if work == SAMPLE:
            self._draw_sample(self._sample)
        elif work[0] == "curve":
            key = work[1]
            # a band's nine curves without their dots: the dots doubled the plot's
            # cost (8.5 -> 4 ms of CPU a redraw; bench_train_window_gap)
            symbol = "o" if key in METRIC_WORDS else None
            words = METRIC_WORDS.get(key) or band_legend_words(key)
            pen = None if key in METRIC_WORDS else band_metric_pen(key, list(self._reference))
            self._curve(self.metric_plot, key, words, len(self.curves), symbol, pen)
        else:
            keys = work if work != METRICS else [k for k in self.curves if k in self._reference]
            highest = 1.0
            for key in keys:
                x, y = self._points(key)
                _thin_when_dense(self.curves[key], len(x))
                self.curves[key].setData(x, y)
                highest = max(highest, float(y.max())) if len(y) else highest
            if work == METRICS:
                self._fit_metric_axis(highest)

    def _fit_metric_axis(self, highest: float) -> None:
        """The metrics plot's scale from 0 to its highest ratio drawn (in half steps, so a
        curve moving a little does not rescale it) with the legend's room above; labelled
        at steps of a few labels a plot, and at 1, "like the data". Set only when it
        changes: a new range repaints the plot's axis."""
        top = LEGEND_ROOM * math.ceil(highest * 2) / 2
        if top == self.metric_top:
            return
        self.metric_top = top
        self.metric_plot.setYRange(0.0, top, padding=0.02)
        step = 0.5 if top <= 3 else 1.0 if top <= 5 else 2.0
        values = sorted({1.0, *(float(v) for v in np.arange(0.0, top + 1e-9, step))})
        self.metric_plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in values]])

    def _points(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """A curve's points: a loss as logged, a metric as a ratio to the data's value."""
        if key not in self._reference:
            return _finite(self._rows, key)
        x, y = _finite(self._metric_rows, key)
        data_value = self._reference.get(key, math.nan)
        if not (math.isfinite(data_value) and abs(data_value) > 1e-6):
            return np.zeros(0), np.zeros(0)  # no ratio to a value of zero
        return x, (np.minimum(y / data_value, RATIO_CEILING) if len(y) else y)

    @property
    def sample(self) -> dict | None:
        """The sample on show (or about to be, at the next ``paint_next``)."""
        return self._sample

    def show_sample(self, sample: dict | None, image: tuple[np.ndarray, int] | None = None) -> None:
        """Take the newest sample; ``paint_next`` shows it in its turn.  ``image``:
        ``sample_image(sample, self.tracks)`` where it was made off the UI thread
        (``ui/train_sample.py``)."""
        self._sample, self._sample_image = sample, image
        if SAMPLE not in self._dirty:
            self._dirty.append(SAMPLE)

    def _draw_sample(self, sample: dict | None) -> None:
        self.play_button.setEnabled(sample is not None)
        if sample is None:
            self.sample_image.clear()
            self._show_empty_roll()
            return
        image, bottom = self._sample_image or sample_image(sample, self.tracks)
        n_rows, n_steps = image.shape[:2]
        self.sample_image.setImage(image, levels=(0, 255))
        self.sample_image.setRect(QRectF(0, bottom, n_steps, n_rows))
        self.sample_plot.setRange(xRange=(0, n_steps), yRange=(bottom, bottom + n_rows))
        drums = self.drums_lane = "drums" in sample
        self.sample_plot.getAxis("left").setTicks([_roll_ticks(bottom, n_rows, drums)])
        bar = sample["steps_per_bar"]
        self.sample_plot.getAxis("bottom").setTickSpacing(major=bar, minor=bar / 4)
        names = [str(n) for n in sample.get("names", ())] + (["drums"] if drums else [])
        order = [t.name for t in self.tracks]
        coloured = ", ".join(
            f'<span style="color: {_colour(i, name, order).name()}">{name}</span>'
            for i, name in enumerate(names)
        )
        self.sample_title.setText(
            f"What the model writes for one melody ({coloured or 'melody first'}), "
            f"at iteration {sample['iteration']}"
        )

    def _show_empty_roll(self) -> None:
        """Before the first sample: the model's pitches and two bars, named as a sample's."""
        self.drums_lane = False
        self.sample_title.setText("What the model writes for one melody: no sample yet")
        self.sample_plot.setRange(
            xRange=(0, EMPTY_ROLL_STEPS), yRange=(LOWEST_PITCH, LOWEST_PITCH + N_PITCHES)
        )
        self.sample_plot.getAxis("left").setTicks([_roll_ticks(LOWEST_PITCH, N_PITCHES, False)])
        self.sample_plot.getAxis("bottom").setTickSpacing(major=16, minor=4)


def _thin_when_dense(curve: pg.PlotDataItem, n_points: int) -> None:
    """A curve of many points is drawn one pixel wide: a long run's noisy curve is a
    zigzag of near-vertical strokes, which a two-pixel antialiased pen took 20-100 ms
    of CPU to paint at 2000 rows (one pixel: 4-5 ms; bench_train_plots_paint --rows
    2000), and it showed the curve's shape better too.  Style and colour are kept."""
    pen = curve.opts["pen"]
    width = 1 if n_points > DENSE_POINTS else 2
    if pen.width() != width:
        pen = pg.mkPen(pen)
        pen.setWidth(width)
        curve.setPen(pen)


def band_legend_words(key: str) -> str:
    """A band metric's words in the legend, short enough for three columns across the
    plot: "drums: notes a bar" is "drums notes", "bass on a chord tone" "bass on chord"."""
    track, _, measure = key.partition(": ")
    if not measure:
        return key.replace(" a chord tone", " chord")
    return f"{track} {measure.split()[0]}"


def band_metric_pen(key: str, keys: list[str]):
    """A band metric's pen: its track's colour, as the sample roll and the main window
    give it (the melody, then the model's tracks in their order, which the metrics'
    keys keep), and a line per measure: solid for notes a bar, dashed for empty bars,
    dotted for the bass on a chord tone.  Six colours cycled over nine curves gave two
    tracks one colour (drums and other, bass and the chord tones)."""
    from PySide6.QtCore import Qt

    order = list(dict.fromkeys(k.split(":")[0] for k in keys if ":" in k))
    track = key.split(":")[0] if ":" in key else key.split()[0]
    colour = _colour(1 + len(order), track, order)
    style = Qt.DashLine if "empty" in key else Qt.DotLine if "chord tone" in key else Qt.SolidLine
    return pg.mkPen(colour, width=2, style=style)


def _colour(position: int, name: str, order: list[str]):
    """A track's colour: the main window's for it, 1 + its place among the model's
    tracks (the melody's is 0), or by its ``position`` where the order is not known.
    The roll coloured its tracks by their place in it (drums last), so bass was one
    colour here and another in the main window."""
    return theme.track_colour(1 + order.index(name) if name in order else position)


def _roll_ticks(bottom: int, n_rows: int, drums: bool) -> list[tuple[float, str]]:
    """The roll's left axis: every C by name (C4 is middle C) and, under them, "drums"
    beside the drums' lane, where pitch numbers would mean nothing."""
    lane = len(DRUM_KIT) + DRUM_LANE_GAP if drums else 0
    first = bottom + lane
    ticks = [
        (pitch + 0.5, f"C{pitch // 12 - 1}")
        for pitch in range(first, bottom + n_rows)
        if pitch % 12 == 0
    ]
    if drums:
        ticks.append((bottom + len(DRUM_KIT) / 2, "drums"))
    return ticks


def sample_image(sample: dict, tracks=()) -> tuple[np.ndarray, int]:
    """A sample as an RGB image ``(row, step, 3)``, lowest row first, and the pitch its
    first row stands for: the pitched tracks on their pitches (melody drawn on top), and
    a band's drums in a lane under them, one row a kit instrument, a gap between.
    ``tracks``: the model's (``TrackSpec``), for each track's colour in the main window."""
    roll = np.asarray(sample["roll"]) > 0  # (track, step, pitch)
    n_tracks, n_steps, n_pitches = roll.shape
    drums = np.asarray(sample["drums"]) > 0 if "drums" in sample else None
    lane = len(DRUM_KIT) + DRUM_LANE_GAP if drums is not None else 0
    image = np.full((lane + n_pitches, n_steps, 3), theme.PANEL.getRgb()[:3], dtype=np.uint8)
    pitches = image[lane:]
    order = [t.name for t in tracks]
    names = [str(n) for n in sample.get("names", [""] * n_tracks)]
    for track in range(n_tracks - 1, -1, -1):  # the melody drawn last, on top
        pitches[roll[track].T] = _colour(track, names[track], order).getRgb()[:3]
    if drums is not None:
        drum_name = next((t.name for t in tracks if t.is_drums), "drums")
        image[: len(DRUM_KIT)][drums.T] = _colour(n_tracks, drum_name, order).getRgb()[:3]
    return image, int(sample["lowest_pitch"]) - lane
