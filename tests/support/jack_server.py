"""Fixtures: a JACK dummy server started per session (filled in by the MIDI I/O work)."""
