"""Faults left by session 15's review and tryout (docs/app.md, "Session 16"), one test
each; each failed before its mend."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_a_changing_daw_clock_never_flips_the_transport_rows(qtbot, window):
    """Following a DAW near 100 BPM, the clock's words changed width with their digits
    (99 -> 100 BPM, playing -> stopped) every 200 ms, and at about 1400 px the transport
    flipped between one and two rows, the panels jumping with it."""
    bar = window.transport
    clock = ["DAW 99 BPM, playing", "DAW 100 BPM, stopped", "DAW 101 BPM, playing"]
    clock += ["waiting for the DAW", "DAW 128 BPM, stopped", "DAW 99 BPM, stopped"]
    needs = set()
    for text in clock:
        bar.show_clock(text)
        needs.add(bar.one_row_width())
    beside = window.width() - bar.width()
    for width in sorted({need + step for need in needs for step in (-1, 0, 1)}):
        window.resize(width + beside, 720)
        qtbot.wait(20)
        rows = []
        for text in clock:
            bar.show_clock(text)
            rows.append(bar.one_row)
        assert len(set(rows)) == 1, (width, list(zip(clock, rows, strict=True)))
