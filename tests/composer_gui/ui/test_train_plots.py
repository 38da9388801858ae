"""The Train window's sample roll: a band's drums in their own lane, chords with every note.

The image is built from a sample as ``models/train_samples.py`` writes it, so a sample
that lost a chord's inner notes or drew the drums on the pitch rows would show here.
"""

from __future__ import annotations

import numpy as np
import pytest

from composer_gui.ui import theme
from composer_gui.ui.train_plots import DRUM_LANE_GAP, sample_image
from models.tracks import DRUM_KIT


def _colour(index: int) -> tuple[int, ...]:
    return tuple(theme.track_colour(index).getRgb()[:3])


def shown_plots(qtbot, width: int, height: int):
    """The plots in a window of their own, on screen at ``width`` x ``height``."""
    from composer_gui.ui.train_plots import TrainPlots

    plots = TrainPlots()
    qtbot.addWidget(plots)
    plots.resize(width, height)
    plots.show()
    qtbot.waitExposed(plots)
    return plots


def test_a_band_sample_draws_chords_whole_and_drums_in_their_lane():
    steps, low, pitches = 16, 28, 64
    roll = np.zeros((3, steps, pitches), dtype=np.uint8)  # melody, bass, chords
    roll[0, 0:4, 72 - low] = 1
    roll[1, 0:8, 40 - low] = 1
    for pitch in (60, 64, 67):  # a C major chord, three notes at once
        roll[2, 4, pitch - low] = 1
    drums = np.zeros((steps, len(DRUM_KIT)), dtype=np.uint8)
    drums[0, 0] = drums[8, 1] = 1  # kick, snare
    sample = {"roll": roll, "drums": drums, "lowest_pitch": low}
    image, bottom = sample_image(sample)
    lane = len(DRUM_KIT) + DRUM_LANE_GAP
    assert bottom == low - lane and image.shape == (lane + pitches, steps, 3)
    for pitch in (60, 64, 67):
        assert tuple(image[lane + pitch - low, 4]) == _colour(2)
    assert tuple(image[lane + 40 - low, 7]) == _colour(1)
    assert tuple(image[lane + 72 - low, 0]) == _colour(0)
    assert tuple(image[0, 0]) == tuple(image[1, 8]) == _colour(3)  # the drums' lane
    assert tuple(image[1, 0]) == tuple(theme.PANEL.getRgb()[:3])


def test_a_band_samples_tracks_have_the_main_windows_colours():
    """With the model's tracks known (drums, bass, chords, pad: the drums first), each
    track is drawn in the colour the main window's tracks panel gives it; the roll
    coloured them by their place in it, the drums last, so bass differed between them."""
    from models.tracks import TrackSpec

    kinds = (("drums", "drums"), ("bass", "bass"), ("chords", "chords"), ("pad", "chords"))
    tracks = tuple(TrackSpec(name, kind) for name, kind in kinds)
    roll = np.zeros((4, 8, 64), dtype=np.uint8)  # melody, bass, chords, pad
    for track in range(4):
        roll[track, track, 10 + track] = 1
    drums = np.zeros((8, len(DRUM_KIT)), dtype=np.uint8)
    drums[5, 0] = 1
    sample = {"roll": roll, "drums": drums, "lowest_pitch": 28,
              "names": np.array(["melody", "bass", "chords", "pad"])}  # fmt: skip
    image, _ = sample_image(sample, tracks)
    lane = len(DRUM_KIT) + DRUM_LANE_GAP
    assert [tuple(image[lane + 10 + t, t]) for t in range(4)] == [
        _colour(0),
        _colour(2),
        _colour(3),
        _colour(4),
    ]  # melody, then bass, chords, pad after the drums
    assert tuple(image[0, 5]) == _colour(1)  # the drums, the model's first track


def test_a_chorale_sample_has_no_drums_lane():
    roll = np.zeros((4, 8, 64), dtype=np.uint8)
    roll[3, 0, 0] = 1
    image, bottom = sample_image({"roll": roll, "lowest_pitch": 28})
    assert bottom == 28 and image.shape[0] == 64
    assert tuple(image[0, 0]) == _colour(3)


@pytest.mark.gui
def test_the_roll_before_a_sample_shows_the_pitches_and_two_bars(qtbot):
    """An empty roll read "pitch (x0.001)" from -400 to 400 (pyqtgraph's own range and
    unit prefix on an empty view); it shows the model's pitches and two bars, then the
    sample's own extent once one comes."""
    from composer_gui.ui.train_plots import EMPTY_ROLL_STEPS
    from models.pianoroll import LOWEST_PITCH, N_PITCHES

    plots = shown_plots(qtbot, 800, 600)
    (x0, x1), (y0, y1) = plots.sample_plot.viewRange()
    assert x0 <= 0 < EMPTY_ROLL_STEPS <= x1 < 1.1 * EMPTY_ROLL_STEPS
    assert y0 <= LOWEST_PITCH and LOWEST_PITCH + N_PITCHES <= y1 < LOWEST_PITCH + 1.1 * N_PITCHES
    for side in ("left", "bottom"):
        assert "x0.001" not in plots.sample_plot.getAxis(side).labelString()
    left_ticks = plots.sample_plot.getAxis("left")._tickLevels[0]
    assert "C4" in [words for _, words in left_ticks]  # middle C, named as a sample's are

    roll = np.zeros((4, 64, N_PITCHES), dtype=np.uint8)
    roll[0, 0:4, 60 - LOWEST_PITCH] = 1
    sample = {"roll": roll, "lowest_pitch": LOWEST_PITCH, "steps_per_bar": 16, "iteration": 50}
    plots.show_sample(sample)
    while plots.pending:
        plots.paint_next()
    (x0, x1), _ = plots.sample_plot.viewRange()
    assert x0 <= 0 and 64 <= x1 < 70 and "at iteration 50" in plots.sample_title.text()


@pytest.mark.gui
@pytest.mark.parametrize("width", [780, 820])
def test_every_plot_title_fits_its_plot(qtbot, width):
    """The metrics plot's title ran past its plot and was cut ("... (at most") in the
    Train window at 1400 x 860 with a folder's files listed (the plots 780 px wide)."""
    plots = shown_plots(qtbot, width, 700)
    qtbot.wait(100)
    for plot in (plots.loss_plot, plots.w_plot, plots.gp_plot, plots.metric_plot):
        # a title wider than the view pushes the plot past its widget, which cuts it
        label = plot.titleLabel.item
        title = label.mapRectToScene(label.boundingRect())
        shown = plot.getViewWidget().width()
        assert title.left() >= 0 and title.right() <= shown, (plot.titleLabel.text, title, shown)


@pytest.mark.gui
def test_a_bands_nine_metric_curves_stay_clear_of_their_legend(qtbot):
    """The legend of a band's nine curves covered the curves drawn at the ratio ceiling
    (an untrained band writes several times the songs' notes): the plot keeps one scale,
    with the legend above the ceiling."""
    from PySide6.QtCore import QPointF

    from composer_gui.ui.train_plots import RATIO_CEILING

    plots = shown_plots(qtbot, 780, 700)
    measures = ("notes a bar", "empty bars")
    keys = [f"{t}: {m}" for t in ("drums", "bass", "chords", "other") for m in measures]
    keys.append("bass on a chord tone")
    reference = dict.fromkeys(keys, 1.0)
    rows = [{"iteration": float(i), **dict.fromkeys(keys, 9.0)} for i in (50, 100, 150)]
    plots.show_rows([{"iteration": 50.0, "critic_loss": 1.0}], reference, rows)
    while plots.pending:
        plots.paint_next()
    qtbot.wait(100)
    plot = plots.metric_plot
    assert len([k for k in keys if len(plots.curves[k].getData()[1])]) == 9
    assert max(plots.curves[keys[0]].getData()[1]) == RATIO_CEILING  # drawn at the ceiling
    ceiling_y = plot.vb.mapViewToScene(QPointF(100, RATIO_CEILING)).y()
    legend = plot.legend.sceneBoundingRect()
    assert legend.bottom() < ceiling_y, (legend, ceiling_y)  # scene y grows downwards
    assert legend.left() >= 0 and legend.right() <= plot.getViewWidget().width()  # not cut
    assert plot.vb.viewRange()[1][0] <= 0.0
    # each curve told apart: its track's colour in the main window (the melody, then the
    # model's tracks: drums, bass, chords, other), a line per measure (six colours
    # cycled gave drums and other one colour)
    pens = {k: plots.curves[k].opts["pen"] for k in keys}
    assert len({(p.color().name(), p.style()) for p in pens.values()}) == 9
    window_order = ["melody", "drums", "bass", "chords", "other"]
    for key, pen in pens.items():
        track = key.split(":")[0] if ":" in key else "bass"
        assert pen.color() == theme.track_colour(window_order.index(track)), key


@pytest.mark.gui
def test_the_default_window_leaves_the_plots_room_for_their_titles(qtbot, tmp_path):
    """The source box's longest choice made the left column 620 px wide, and at the
    window's default size the plots were too narrow for the metrics plot's title."""
    from composer_gui.core.training_plan import BAND
    from composer_gui.ui.train_source import SOURCES
    from composer_gui.ui.train_window import TrainWindow

    train = TrainWindow(runs_dir=tmp_path / "runs", models_dir=tmp_path / "models")
    qtbot.addWidget(train)
    train.source.source_box.setCurrentIndex([s for _, s in SOURCES].index(BAND))
    train.show()
    qtbot.waitExposed(train)
    qtbot.wait(100)
    assert train.source.width() <= 480, train.source.width()
    # the band data's words whole, where an empty files list left them cut
    summary = train.source.files_summary
    assert not train.source.files_tree.isVisible()
    assert summary.height() >= summary.heightForWidth(summary.width()), summary.height()
    for plot in (train.plots.loss_plot, train.plots.metric_plot):
        label = plot.titleLabel.item
        title = label.mapRectToScene(label.boundingRect())
        assert title.right() <= plot.getViewWidget().width(), plot.titleLabel.text


@pytest.mark.gui
def test_a_sentence_that_wraps_later_keeps_the_height_it_needs(qtbot, tmp_path):
    """The estimate's sentence, set after the window was laid out, got one or two lines'
    height and its last line was cut by the group's frame (seen under Xvfb)."""
    from composer_gui.ui.train_window import TrainWindow

    train = TrainWindow(runs_dir=tmp_path / "runs", models_dir=tmp_path / "models")
    qtbot.addWidget(train)
    train.show()
    qtbot.waitExposed(train)
    label = train.estimate_label
    label.setText(
        "About 42 s for 400 iterations on this CPU (x86_64, 1 thread): 103 ms each and "
        "0.2 s a live sample (every 50), measured."
    )
    qtbot.wait(100)
    lines = label.height() // label.fontMetrics().lineSpacing()
    assert lines >= 2 and label.height() >= label.heightForWidth(label.width())
    assert label.minimumHeight() == label.heightForWidth(label.width())


@pytest.mark.gui
def test_the_metrics_axis_follows_the_ratios_drawn_with_the_legend_above_them(qtbot):
    """The axis ran to 8 all run while the ratios are drawn at most at 4, and a trained
    model's near 1: it now ends at the legend's room over the highest ratio drawn."""
    from PySide6.QtCore import QPointF

    plots = shown_plots(qtbot, 780, 700)
    keys = ["drums: notes a bar", "bass: notes a bar", "bass on a chord tone"]
    reference = dict.fromkeys(keys, 2.0)
    plot = plots.metric_plot

    def show(ratios: list[float]) -> float:
        rows = [
            {"iteration": float(50 * i), **{k: 2.0 * r for k in keys}}
            for i, r in enumerate(ratios, 1)
        ]
        plots.show_rows([{"iteration": 50.0, "critic_loss": 1.0}], reference, rows)
        while plots.pending:
            plots.paint_next()
        qtbot.wait(50)
        highest = max(max(plots.curves[k].getData()[1]) for k in keys)
        legend = plot.legend.sceneBoundingRect()
        assert legend.bottom() < plot.vb.mapViewToScene(QPointF(100, highest)).y()
        labels = [v for v, _ in plot.getAxis("left")._tickLevels[0]]
        assert labels[0] == 0.0 and 3 <= len(labels) <= 9 and 1.0 in labels
        return plot.vb.viewRange()[1][1]

    near_one = show([1.1, 0.9, 1.2])
    assert 2.9 <= near_one <= 3.2  # 1.2: to 1.5, twice that for the legend; not 8
    assert 7.8 <= show([3.0, 9.0, 1.1]) <= 8.3  # drawn at the ceiling, 4
    assert show([1.0]) < 2.2  # a run shown afresh with its ratios at 1
