"""A repository script (``benchmarks/``, ``scripts/``, ``packaging/``) loaded as a module
for a test: those folders are scripts, not packages (``packaging`` would shadow PyPI's).

The one loader; ten test files each wrote the same ``importlib`` lines before session 19.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]  # the repository


def load_script(relative_path: str) -> ModuleType:
    """The script at ``relative_path`` (``"benchmarks/corpus_tunes.py"``) as the module
    named by its file's stem, loaded once: it is registered in ``sys.modules`` before it
    runs, as its dataclasses look their module up there, and a second call (another test
    file) gets that same module."""
    path = ROOT / relative_path
    name = path.stem
    loaded = sys.modules.get(name)
    if loaded is not None and Path(getattr(loaded, "__file__", "") or "") == path:
        return loaded
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no script at {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
