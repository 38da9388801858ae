"""Errors from the model side whose text is meant for the user (one sentence, next step)."""


class ModelError(Exception):
    """Base of every expected failure in ``models``."""


class ModelFileError(ModelError):
    """A weights file or model card that is missing, truncated or made for another grid."""


class DatasetError(ModelError):
    """Training data that cannot be built or read."""
