"""Fixtures: real MIDI files from the music21 corpus and generated edge cases."""
