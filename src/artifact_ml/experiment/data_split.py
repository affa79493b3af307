"""The data split that a validation result was computed on."""

from __future__ import annotations

from enum import Enum

__all__ = ["DataSplit"]


class DataSplit(Enum):
    """A data split; the value is the prefix of every result name logged for that split."""

    TRAIN = "train"
    VALIDATION = "validation"
    TEST = "test"
