"""Reading an import file: decoding, CSV rows with physical line numbers, header columns.

Korean exports are often CP949 (the EUC-KR superset); everything else UTF-8, with
or without a BOM. The bytes are tried as UTF-8 (BOM stripped) and then as CP949.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from storage.importing.report import RowError

ENCODINGS = ("utf-8-sig", "cp949")
UNKNOWN_ENCODING = "unknown encoding (neither UTF-8 nor CP949)"


@dataclass(frozen=True, slots=True)
class CsvRow:
    """A data row and the physical line it starts on (a quoted field may span lines)."""

    line: int
    cells: tuple[str, ...]

    def get(self, index: int) -> str:
        return self.cells[index].strip() if index < len(self.cells) else ""


@dataclass(frozen=True, slots=True)
class CsvTable:
    source: str
    header: tuple[str, ...]
    rows: tuple[CsvRow, ...]
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True, slots=True)
class Column:
    """A field found in the header: its name as the file spells it and its position."""

    field: str
    name: str
    index: int


def decode(data: bytes) -> str | int:
    """The text, or the line of the first byte that no accepted encoding could read."""
    failures: list[int] = []
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            failures.append(exc.start)
    # the encoding that read furthest is most likely the file's; name its bad line
    return data[: max(failures)].count(b"\n") + 1


HeaderTest = Callable[[Sequence[str]], bool]
"""Whether a row's cells are the header row (rows above it are guide text)."""


def read_table(
    data: bytes, source: str, *, is_header: HeaderTest | None = None, no_header: str = ""
) -> CsvTable:
    """Parse CSV bytes into a header and rows; blank rows are dropped, extra cells reported.

    The header is the first non-blank row, or with `is_header` the first row it accepts
    (`no_header`: the problem reported when none does).
    """
    text = decode(data)
    if isinstance(text, int):
        return CsvTable(source, (), (), (RowError(source, text, UNKNOWN_ENCODING),))
    reader = csv.reader(io.StringIO(text, newline=""))

    def numbered() -> Iterable[tuple[int, list[str]]]:
        previous_end = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _Unreadable(previous_end + 1, f"unreadable CSV: {exc}") from exc
            yield previous_end + 1, cells
            previous_end = reader.line_num

    return build_table(numbered(), source, is_header=is_header, no_header=no_header)


class _Unreadable(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


def build_table(
    lines: Iterable[tuple[int, Sequence[str]]],
    source: str,
    *,
    is_header: HeaderTest | None = None,
    no_header: str = "",
) -> CsvTable:
    """A table of (physical line, cells) rows, as `read_table` describes; shared with the
    workbook reader, whose lines are the sheet's row numbers."""
    header: tuple[str, ...] = ()
    rows: list[CsvRow] = []
    errors: list[RowError] = []
    try:
        for line, cells in lines:
            if not any(cell.strip() for cell in cells):
                continue
            if not header:
                stripped = tuple(cell.strip() for cell in cells)
                if is_header is None or is_header(stripped):
                    header = stripped
                continue
            extra = [cell for cell in cells[len(header) :] if cell.strip()]
            if extra:
                reason = f"row has {len(cells)} fields, the header has {len(header)}"
                errors.append(RowError(source, line, reason))
                continue
            rows.append(CsvRow(line, tuple(cells)))
    except _Unreadable as exc:
        errors.append(RowError(source, exc.line, exc.reason))
    if not header and not errors:
        errors.append(RowError(source, 1, no_header or "empty file (no header row)"))
    return CsvTable(source, header, tuple(rows), tuple(errors))


def unused_columns(header: Sequence[str], used: Iterable[Column]) -> tuple[str, ...]:
    """The header's named columns that no field reads, in file order."""
    taken = {column.index for column in used}
    return tuple(name for index, name in enumerate(header) if name and index not in taken)


def normalize_header(name: str) -> str:
    """Case, spacing and a trailing unit in parentheses do not matter: '광고비(원)' = '광고비'."""
    name = re.sub(r"\s*\([^)]*\)\s*$", "", name.strip())
    return " ".join(name.replace("_", " ").split()).casefold()


def find_columns(
    header: Sequence[str], wanted: Mapping[str, Sequence[str]], required: Sequence[str]
) -> tuple[dict[str, Column], list[str]]:
    """Columns for each wanted field (its aliases tried in order) and the required ones missing.

    A missing field is named by its first alias, the name the file was expected to use.
    """
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(normalize_header(name), index)
    found: dict[str, Column] = {}
    for field, aliases in wanted.items():
        for alias in aliases:
            position = positions.get(normalize_header(alias))
            if position is not None:
                found[field] = Column(field, header[position], position)
                break
    missing = [wanted[field][0] for field in required if field not in found]
    return found, missing


def _shown(raw: str) -> str:
    return raw if len(raw) <= 40 else raw[:39] + "…"


class RowReader:
    """Reads one row's cells by field, collecting `file:line: reason` problems.

    A problem reads '<reason> in column '<name as in the file>': '<raw cell>''.
    """

    def __init__(self, source: str, row: CsvRow, columns: Mapping[str, Column]) -> None:
        self.source, self.row, self.columns = source, row, columns
        self._problems: list[tuple[int, RowError]] = []

    @property
    def errors(self) -> list[RowError]:
        """This row's problems, left to right as the columns stand in the file."""
        return [error for _, error in sorted(self._problems, key=lambda item: item[0])]

    def raw(self, name: str) -> str:
        column = self.columns.get(name)
        return self.row.get(column.index) if column else ""

    def problem(self, name: str, reason: str) -> None:
        raw = self.raw(name)
        detail = f": '{_shown(raw)}'" if raw else ""
        column = self.columns[name]
        error = RowError(self.source, self.row.line, f"{reason} in column '{column.name}'{detail}")
        self._problems.append((column.index, error))

    def add(self, reason: str) -> None:
        """A problem of the row as a whole, listed after those of its cells."""
        self._problems.append((len(self.row.cells), RowError(self.source, self.row.line, reason)))

    def text(self, name: str, *, limit: int, required: bool = False) -> str | None:
        """The stripped cell, or None when blank (a problem when required) or too long."""
        value = self.raw(name)
        if not value:
            if required:
                self.problem(name, "missing value")
            return None
        if len(value) > limit:
            self.problem(name, f"longer than {limit} characters")
            return None
        return value
