"""Import of an optional backend library, with an error that names the install command."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["import_optional"]


def import_optional(module: str, *, extra: str, client: str) -> ModuleType:
    """Import ``module`` or raise ImportError naming ``pip install "artifact-ml[<extra>]"``."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{client} needs the '{module.split('.')[0]}' package, which is not installed. "
            f'Install it with: pip install "artifact-ml[{extra}]"'
        ) from error
