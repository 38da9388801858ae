"""The tune the window's flows type, open, edit and export (``melody_file`` in conftest.py
writes it as a file): two bars in 4/4 with a dotted and a short note."""

from composer_gui.core.arrangement import Note

MELODY = [
    Note(67, 0.0, 1.0, 90),
    Note(69, 1.0, 1.0, 90),
    Note(71, 2.0, 2.0, 90),
    Note(72, 4.0, 1.5, 90),
    Note(71, 5.5, 0.5, 90),
    Note(69, 6.0, 2.0, 90),
]
