"""The candidate list: best-ranked first, with the ranking score made readable.

The engine gives each candidate a percentile of the score it is ranked by (the critic's
score less the penalties for the faults a musician hears, ``models.ranking``): where it
falls among the model's own candidates on held-out melodies (50 is a typical candidate),
with the share of real Bach (or of the style's real accompaniments) it beats in the
tooltip; for a card calibrated before that (``metric_words.places_among_own``), the share
of the real accompaniments whose score is lower, and the Score header says which.  So
the number and the order agree: a candidate above another never shows a smaller number.
The list shows it as "Score", a bar out of 100, next to a few of the honest metrics; the
tooltip lists all of them.  Earlier generations stay in a history the musician can go back to.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from composer_gui.core.metric_words import (
    METRIC_WORDS,
    metric_label,
    metric_line,
    metric_text,
    score_among_words,
    score_line,
    split_key,
)
from composer_gui.core.rough_model import SHOWN_AS_UNDER_ONE
from composer_gui.ui import theme

SHOWN_METRICS = 2  # columns beside the score; the rest are in the tooltip
SCORE_ROLE = Qt.UserRole + 1


def shown_metric_keys(
    metrics: dict[str, float], among: list[dict[str, float]] | None = None
) -> list[str]:
    """The headline metrics for the columns, in METRIC_WORDS' order, those on which the
    candidates ``among`` differ (as shown) first: the chorale's first two, in key and
    silent bars, read 100% and 0% on every row of a take, which sets nothing apart.
    Per-track keys ("alto/in_key_ratio", a band's "drums.empty_bars") are for the tooltip
    only: as columns a band's read "Drums.empty bars" and squeezed the score to "Sc"."""
    known = [k for k in METRIC_WORDS if k in metrics]
    others = [k for k in metrics if k not in METRIC_WORDS and not split_key(k)[0]]
    keys: list[str] = []
    for key in known + others:  # two keys may share a label; show it once
        if metric_label(key) not in {metric_label(k) for k in keys}:
            keys.append(key)

    def same_on_every_row(key: str) -> bool:
        return len({metric_text(key, m.get(key, float("nan"))) for m in among or [metrics]}) < 2

    return sorted(keys, key=same_on_every_row)[:SHOWN_METRICS]  # stable: the order kept


class ScoreDelegate(QStyledItemDelegate):
    """Draws the percentile as a bar with its number, like a level meter."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        value = index.data(SCORE_ROLE)
        if value is None:
            super().paint(painter, option, index)
            return
        super().paint(painter, option, index)  # background and selection
        painter.save()
        rect: QRect = option.rect.adjusted(6, 7, -34, -7)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor("#3a3e46"))
        painter.drawRoundedRect(rect, 3, 3)
        filled = QRect(rect)
        filled.setWidth(max(2, round(rect.width() * max(0.0, min(100.0, value)) / 100)))
        painter.setBrush(theme.ACCENT if value >= 50 else theme.ACCENT.darker(140))
        painter.drawRoundedRect(filled, 3, 3)
        painter.setPen(theme.TEXT)
        # below nearly every calibration accompaniment: say so rather than "0"
        text = "<1" if value < SHOWN_AS_UNDER_ONE else f"{value:.0f}"
        painter.drawText(option.rect.adjusted(0, 0, -4, 0), Qt.AlignVCenter | Qt.AlignRight, text)
        painter.restore()


def take_label(number: int, candidates: list[Any]) -> str:
    """The Take menu's words for one take, its style named: chorale and band takes of one
    melody read alike before ("Take 3  (8 candidates)")."""
    style = getattr(candidates[0], "style", "") if candidates else ""
    return f"Take {number}{': ' + style if style else ''}  ({len(candidates)} candidates)"


class CandidatesPanel(QWidget):
    """A history combo and the ranked list of the chosen generation."""

    chosen = Signal(int, int)  # generation, index (ranked order)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.generations: list[list[Any]] = []
        self._quiet = False
        # (style, among its own candidates, calibrated on): describe_scores
        self._card_meaning: tuple[str, bool, str] = ("", True, "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.history = QComboBox()
        self.history.setToolTip("Earlier generations are kept here: go back to any of them")
        self.history.currentIndexChanged.connect(self._show_generation)
        self.history_label = QLabel("Take")
        row.addWidget(self.history_label)
        row.addWidget(self.history, 1)
        layout.addLayout(row)
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setItemDelegateForColumn(1, ScoreDelegate(self.tree))
        self.tree.currentItemChanged.connect(self._current_changed)
        self.tree.setAccessibleName("Candidates")
        layout.addWidget(self.tree, 1)
        self.hint = QLabel(
            "Press Generate (G) to write accompaniments for your melody.", objectName="hint"
        )
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self._set_columns([])
        self.history.setVisible(False)
        self.history_label.setVisible(False)

    def describe_scores(self, style: str, among_own: bool, on: str = "") -> None:
        """What the chosen style's card makes of the shown number (``among_own``: among
        the model's own candidates, else among real music; ``on``: what it was calibrated
        on, ``metric_words.calibrated_on``), for the Score header while no take is on
        show; a take's own candidates say it for theirs."""
        self._card_meaning = (style, among_own, on)
        if not self.tree.topLevelItemCount():
            self._set_columns([])

    def _set_columns(self, metric_keys: list[str], candidate: Any = None) -> None:
        labels = ["#", "Score"] + [metric_label(k) for k in metric_keys]
        self.tree.setColumnCount(len(labels))
        self.tree.setHeaderLabels(labels)
        if candidate is None:
            style, among_own, on = self._card_meaning
        else:  # the engine gave a real share beside the number only where it is the latter
            style, among_own = candidate.style, math.isfinite(candidate.real_share)
            on = getattr(candidate, "calibrated_on", "")
        header = self.tree.headerItem()
        header.setToolTip(
            1,
            f"Where the ranking score (the critic with the musical checks) puts this "
            f"candidate among {score_among_words(style, among_own, on)}: 50 is typical of "
            "them, higher ranks higher.",
        )
        view = self.tree.header()
        view.setStretchLastSection(False)
        view.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        view.setSectionResizeMode(1, QHeaderView.Stretch)
        for column in range(2, len(labels)):
            view.setSectionResizeMode(column, QHeaderView.ResizeToContents)

    def set_generations(
        self, generations: list[list[Any]], generation: int | None = None, index: int | None = None
    ) -> None:
        """Show a history; selects ``(generation, index)`` (default: newest, nothing chosen)."""
        self.generations = generations
        self._quiet = True
        try:
            self.history.clear()
            for number, gen in enumerate(generations, start=1):
                self.history.addItem(take_label(number, gen))
            if generations:
                self.history.setCurrentIndex(
                    len(generations) - 1 if generation is None else generation
                )
        finally:
            self._quiet = False
        self._show_generation(self.history.currentIndex(), select=index)

    def add_generation(self, candidates: list[Any]) -> None:
        self.set_generations(self.generations + [candidates], index=0 if candidates else None)

    @property
    def generation(self) -> int:
        return self.history.currentIndex()

    def _show_generation(self, generation: int, select: int | None = None) -> None:
        if self._quiet:
            return
        self.tree.blockSignals(True)
        self.tree.clear()
        candidates = self.generations[generation] if 0 <= generation < len(self.generations) else []
        metrics = [dict(c.metrics) for c in candidates]
        keys = shown_metric_keys(metrics[0], metrics) if candidates else []
        self._set_columns(keys, candidates[0] if candidates else None)
        for position, candidate in enumerate(candidates):
            item = QTreeWidgetItem([str(candidate.rank)] + [""] * (1 + len(keys)))
            item.setData(1, SCORE_ROLE, float(candidate.percentile))
            for column, key in enumerate(keys, start=2):
                value = candidate.metrics.get(key)
                item.setText(column, metric_text(key, value) if value is not None else "")
                item.setTextAlignment(column, Qt.AlignRight | Qt.AlignVCenter)
            item.setToolTip(0, self._tooltip(position, candidate))
            item.setToolTip(1, self._tooltip(position, candidate))
            item.setData(0, Qt.UserRole, position)
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        self.hint.setVisible(not candidates)
        for widget in (self.history, self.history_label):  # a history of one is no history
            widget.setVisible(len(self.generations) > 1)
        if select is not None and 0 <= select < len(candidates):
            self.tree.setCurrentItem(self.tree.topLevelItem(select))
        elif candidates:
            self.chosen.emit(generation, -1)

    def _tooltip(self, position: int, candidate: Any) -> str:
        lines = [f"Candidate {position + 1} (rank {candidate.rank})", score_line(candidate)]
        if note := getattr(candidate, "model_note", ""):  # core.rough_model
            lines.append(note)
        reasons = list(candidate.reasons)
        if reasons:
            lines.append("Why: " + "; ".join(reasons))
        metrics = dict(candidate.metrics)
        headline = [k for k in METRIC_WORDS if k in metrics and k != "qualified_notes"]
        headline += [k for k in metrics if not split_key(k)[0] and k not in METRIC_WORDS]
        lines += [metric_line(k, metrics[k]) for k in headline]
        # Per part, one line each: "Alto: in key 93%, silent bars 0%, ..."
        parts: dict[str, list[str]] = {}
        order = list(METRIC_WORDS)
        per_track = sorted(
            (k for k in metrics if split_key(k)[0]),
            key=lambda k: order.index(m) if (m := split_key(k)[1]) in order else len(order),
        )
        for key in per_track:
            track, metric = split_key(key)
            value = metrics[key]
            if track:
                words = metric_label(metric).lower()
                parts.setdefault(track, []).append(f"{words} {metric_text(metric, value)}")
        lines += [f"{track.capitalize()}: {', '.join(said)}" for track, said in parts.items()]
        return "\n".join(lines)

    def select(self, index: int) -> bool:
        """Choose the candidate at this place in the list (0 = best); False if none there."""
        item = self.tree.topLevelItem(index)
        if item is None:
            return False
        self.tree.setCurrentItem(item)
        return True

    def current_index(self) -> int | None:
        item = self.tree.currentItem()
        return None if item is None else int(item.data(0, Qt.UserRole))

    def _current_changed(self, current: QTreeWidgetItem | None, _previous) -> None:
        if current is not None:
            self.chosen.emit(self.generation, int(current.data(0, Qt.UserRole)))
