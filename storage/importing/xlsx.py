"""Reading an Excel workbook (.xlsx) as an import table, decrypting it first when needed.

Smart Store Center downloads its order export as an .xlsx encrypted with a password
the seller types at download (an OLE2 container, ECMA-376 agile encryption); it is
decrypted in memory with msoffcrypto-tool. The password is only handed to the
decryption: never stored, logged or put in a report. The first sheet is read; a
row's line is its row number in the sheet, so problems point at what the seller sees.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from storage.importing.csvfile import CsvTable, HeaderTest, build_table
from storage.importing.report import RowError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

PASSWORD_NEEDED = (
    "the workbook is password-protected: give the password you chose when downloading "
    "it (--password, or type it when asked)"
)
WRONG_PASSWORD = "wrong password for the encrypted workbook (nothing imported)"
NOT_A_WORKBOOK = "not a readable .xlsx workbook"
OLD_XLS = "an old-style .xls workbook: save it as .xlsx (or CSV) and import that"


class WorkbookError(ValueError):
    """A workbook that cannot be opened; the message is safe to show (no password)."""


def is_workbook(data: bytes) -> bool:
    """An .xlsx (a zip) or an OLE2 container (an encrypted .xlsx, or an old .xls)."""
    return data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC)


def is_encrypted(data: bytes) -> bool:
    """An encrypted .xlsx (an OLE2 container holding the encrypted package)."""
    return _encrypted_package(data) is not None


def _encrypted_package(data: bytes) -> Any:
    """msoffcrypto's handle of an encrypted .xlsx, None for anything else."""
    if not data.startswith(OLE_MAGIC):
        return None
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
    except Exception:  # msoffcrypto raises several kinds for a container it cannot read
        return None
    return office if isinstance(office, OOXMLFile) and office.is_encrypted() else None


def decrypt(data: bytes, password: str | None) -> bytes:
    """The plain .xlsx bytes of `data` (returned as they are when not encrypted)."""
    if data.startswith(ZIP_MAGIC):
        return data
    if not data.startswith(OLE_MAGIC):
        raise WorkbookError(NOT_A_WORKBOOK)
    office = _encrypted_package(data)
    if office is None:
        raise WorkbookError(OLD_XLS)
    if not password:
        raise WorkbookError(PASSWORD_NEEDED)
    from msoffcrypto.exceptions import DecryptionError, InvalidKeyError

    try:
        office.load_key(password=password, verify_password=True)
        plain = io.BytesIO()
        office.decrypt(plain)
    except InvalidKeyError:
        raise WorkbookError(WRONG_PASSWORD) from None
    except (DecryptionError, ValueError, OSError):
        raise WorkbookError(NOT_A_WORKBOOK) from None
    return plain.getvalue()


def cell_text(value: object) -> str:
    """A cell as an export's text: times as 'YYYY-MM-DD HH:MM:SS', whole numbers without
    '.0', blanks as ''."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(plain: bytes) -> Iterator[tuple[int, Sequence[str]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(plain), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise WorkbookError(NOT_A_WORKBOOK) from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, tuple(cell_text(value) for value in values)
    finally:
        book.close()


def read_workbook(
    data: bytes,
    source: str,
    *,
    password: str | None = None,
    is_header: HeaderTest | None = None,
    no_header: str = "",
) -> CsvTable:
    """The first sheet of an .xlsx (decrypted with `password` when encrypted) as a table,
    its header the first row `is_header` accepts; a workbook that cannot be opened is
    one error on the file (line 0)."""
    try:
        plain = decrypt(data, password)
        return build_table(_rows(plain), source, is_header=is_header, no_header=no_header)
    except WorkbookError as exc:
        return CsvTable(source, (), (), (RowError(source, 0, str(exc)),))
