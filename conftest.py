"""Fixtures shared by the whole suite live in tests/support/ and are loaded here."""

pytest_plugins = [
    "tests.support.jack_server",
    "tests.support.music_files",
    "tests.support.model_files",
    "tests.support.band_model",
    "tests.support.sound",
    "tests.support.pulse_server",  # after sound, which it imports
]
