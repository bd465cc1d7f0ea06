"""The occupational fields offers refer to: their ids and names, read from the interest
check's ``interests/fields.yaml``.

Only what offers need is read here (id and per-language name), in this one function, so
that the interest check's own loader can take its place.
"""

from __future__ import annotations

from pathlib import Path

import yaml

FIELDS_FILE = Path("interests") / "fields.yaml"
FieldNames = dict[str, dict[str, str]]


def read_field_names(root: Path) -> tuple[FieldNames, str | None]:
    """``{field id: {language: name}}`` in the file's order, and a sentence when the file
    cannot be read as expected (then no fields)."""
    path = root / FIELDS_FILE
    if not path.exists():
        return {}, None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return {}, f"the occupational fields cannot be read ({type(exc).__name__})"
    fields = data.get("fields") if isinstance(data, dict) else None
    if not isinstance(fields, list):
        return {}, "the occupational fields file has no list under 'fields'"
    names: FieldNames = {}
    for index, field in enumerate(fields):
        field_id = field.get("id") if isinstance(field, dict) else None
        name = field.get("name") if isinstance(field, dict) else None
        if not isinstance(field_id, str) or not isinstance(name, dict):
            return {}, f"field {index + 1} under 'fields' has no 'id' and 'name'"
        names[field_id] = {str(lang): str(text) for lang, text in name.items()}
    return names, None
