"""Aligned text tables for the human-readable output of ``check`` and ``status``.

Plain columns separated by two spaces; numbers right-aligned, text
left-aligned, the last column never padded. Nothing here decides what is
shown, only how it lines up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def table(rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None, indent: str = "") -> list[str]:
    """The lines of ``rows`` (and ``header``) in aligned columns."""
    all_rows = [list(map(_cell, row)) for row in ([header] if header else []) + list(rows)]
    if not all_rows:
        return []
    columns = max(len(row) for row in all_rows)
    numeric = [
        all(_is_number(row[i]) for row in rows if i < len(row)) and any(i < len(row) for row in rows)
        for i in range(columns)
    ]
    widths = [max(len(row[i]) for row in all_rows if i < len(row)) for i in range(columns)]
    lines = []
    for row in all_rows:
        cells = []
        for i, text in enumerate(row):
            last = i == len(row) - 1
            if numeric[i]:
                cells.append(text.rjust(widths[i]))
            else:
                cells.append(text if last else text.ljust(widths[i]))
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
