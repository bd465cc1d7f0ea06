"""YAML text read with libyaml's C parser where PyYAML has it.

The pure-Python parser took seconds for the larger files (the safety examples, a whole
language sheet) at every start of a worker; libyaml reads the same safe subset.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["FastSafeLoader", "load_yaml"]

FastSafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load``, faster: plain data only (no Python objects); raises yaml.YAMLError."""
    return yaml.load(text, Loader=FastSafeLoader)
