"""Composer: play a melody, get multi-track accompaniments from a local GAN ranked by its critic."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("composer-gui")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.1.0"

APP_NAME = "Composer"
