"""Faults of the app left by earlier sessions and mended in session 18 (docs/app.md,
"Session 18"), one test each; each failed before its mend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.composer_gui.core.test_score_file import ONEILLS, copied

pytestmark = pytest.mark.gui


def test_a_tune_book_is_read_once_for_its_tune_and_its_sentence(tmp_path, monkeypatch):
    """The window's score reader read an ABC file a second time for the sentence saying
    which tune was taken (as accompany did): one read now gives both."""
    from composer_gui.ui.window_files import read_melody_file

    path = copied(ONEILLS, tmp_path)
    reads = []
    real_read_bytes = Path.read_bytes

    def read_bytes(self):
        if self == path:
            reads.append(self)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    read, sentence = read_melody_file(path)
    assert len(reads) == 1
    assert read.time_signature == (2, 4)  # The Enchanted Valley, the first tune
    assert sentence.startswith("0001-0050.abc holds 50 tunes; Composer took the first, X:1")
