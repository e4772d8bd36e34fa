"""Suppression lists as CSV: export an account's list, and import one line by line.

The format is RFC 4180 CSV with a header row. Export writes the columns
`address,base_address,manual,reason,created`; import reads any file whose header
names an `address` (or `email`) column, and optionally `reason`, `manual` and
`created`, so an export imports unchanged and so do the lists other services export.
A file without a recognised header is read as `address[,reason]`.

A bad line never stops an import: it is reported with its line number and the good
lines around it are kept. Lines are committed in chunks, so an import of millions of
addresses uses constant memory and shows progress as it goes.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

from postroom.mail import AddressError, parse_address
from postroom.queue.suppression import base_addresses
from postroom.store import sql
from postroom.store.groupcommit import Batch, GroupCommitter
from postroom.store.outgoing import Suppression
from postroom.store.reader import Reader

EXPORT_COLUMNS = ("address", "base_address", "manual", "reason", "created")
_ADDRESS_COLUMNS = ("address", "email", "original_address", "email_address")
_TRUE = frozenset({"1", "true", "yes", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "n", "f"})
DEFAULT_REASON = "imported"
# Rows per transaction: large enough to amortise the commit, small enough that the
# statement stays far below SQLite's limit of bound parameters.
CHUNK_ROWS = 500
EXPORT_PAGE = 1000


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    already_listed: int = 0
    """Lines whose base address was on the list already (or earlier in the file)."""
    errors: list[LineError] = field(default_factory=list)
    lines: int = 0
    """Data lines read (not counting the header and empty lines)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    line: int
    address: str
    reason: str
    manual: bool
    created: datetime


async def export_suppressions(account_id: int, out: TextIO) -> int:
    """Write the account's list as CSV with a header; returns how many entries.

    Reads the list in keyset pages, so a list of any size is written in constant memory.
    """
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 §2: CRLF line breaks
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    last_id = 0
    while True:
        page = (
            await Suppression.filter(account_id=account_id, id__gt=last_id)
            .order_by("id")
            .limit(EXPORT_PAGE)
        )
        for row in page:
            created = row.created.astimezone(UTC).isoformat().replace("+00:00", "Z")
            manual = "true" if row.manual else "false"
            writer.writerow((row.original_address, row.base_address, manual, row.reason, created))
        count += len(page)
        if len(page) < EXPORT_PAGE:
            return count
        last_id = page[-1].id


async def import_suppressions(
    committer: GroupCommitter,
    reader: Reader,
    *,
    account_id: int,
    source: Iterable[str],
    now: datetime,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Add the addresses of the CSV `source` to the account's list.

    Addresses already listed are counted, not changed: an import never overwrites a
    reason or turns an automatic entry into a manual one.
    """
    report = ImportReport()
    chunk: list[_Entry] = []
    for item in _entries(source, now):
        report.lines += 1
        if isinstance(item, LineError):
            report.errors.append(item)
        else:
            chunk.append(item)
        if len(chunk) >= CHUNK_ROWS:
            await _import_chunk(committer, reader, account_id, chunk, report)
            chunk = []
            if progress is not None:
                progress(report)
    if chunk:
        await _import_chunk(committer, reader, account_id, chunk, report)
    if progress is not None:
        progress(report)
    return report


async def _import_chunk(
    committer: GroupCommitter,
    reader: Reader,
    account_id: int,
    chunk: Sequence[_Entry],
    report: ImportReport,
) -> None:
    parsed = [parse_address(e.address) for e in chunk]  # checked in _entries
    bases = await base_addresses(parsed, reader)
    unique: dict[str, _Entry] = {}
    for base, entry in zip(bases, chunk, strict=True):
        unique.setdefault(base, entry)

    async def unit(batch: Batch) -> int:
        return await _insert(batch, account_id, unique)

    added = await committer.run(unit)
    report.added += added
    report.already_listed += len(chunk) - added


async def _insert(batch: Batch, account_id: int, entries: dict[str, _Entry]) -> int:
    values: list[object] = []
    for base, entry in entries.items():
        values += [
            sql.encode_datetime(batch.connection, entry.created),
            account_id,
            base,
            entry.address,
            entry.manual,
            entry.reason,
        ]
    rows = ", ".join("(?, ?, ?, ?, ?, ?)" for _ in entries)
    # RETURNING counts what was added; both drivers report it the same way.
    added = await sql.fetch(
        batch.connection,
        "INSERT INTO suppression (created, account_id, base_address, original_address, manual,"
        f" reason) VALUES {rows} ON CONFLICT (account_id, base_address) DO NOTHING RETURNING id",
        values,
    )
    return len(added)


def _entries(source: Iterable[str], now: datetime) -> Iterator[_Entry | LineError]:
    reader = csv.reader(source)
    columns: dict[str, int] | None = None
    first = True
    for row in _rows(reader):
        if row is None:
            yield LineError(reader.line_num, "not valid CSV")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if first:
            first = False
            columns = _header(row)
            if columns is not None:
                continue
            columns = {"address": 0, "reason": 1}
        assert columns is not None
        yield _entry(reader.line_num, row, columns, now)


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str] | None]:
    """The rows of `reader`, with None for a row the csv module cannot read."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield None


def _header(row: Sequence[str]) -> dict[str, int] | None:
    names = [cell.strip().lower().replace(" ", "_").replace("-", "_") for cell in row]
    address = next((names.index(n) for n in _ADDRESS_COLUMNS if n in names), None)
    if address is None:
        return None
    columns = {"address": address}
    for name in ("reason", "manual", "created"):
        if name in names:
            columns[name] = names.index(name)
    return columns


def _entry(
    line: int, row: Sequence[str], columns: dict[str, int], now: datetime
) -> _Entry | LineError:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    address = cell("address")
    if not address:
        return LineError(line, "no address")
    try:
        parse_address(address)
    except AddressError as exc:
        return LineError(line, f"not an email address: {address!r}: {exc}")
    manual_text = cell("manual").lower()
    if manual_text and manual_text not in _TRUE | _FALSE:
        return LineError(line, f"manual must be true or false, not {cell('manual')!r}")
    created = now
    if created_text := cell("created"):
        try:
            created = datetime.fromisoformat(created_text.replace("Z", "+00:00"))
        except ValueError:
            return LineError(line, f"created is not an RFC 3339 time: {created_text!r}")
        if created.tzinfo is None:
            return LineError(line, f"created has no time zone: {created_text!r}")
    return _Entry(
        line=line,
        address=address,
        reason=cell("reason") or DEFAULT_REASON,
        manual=manual_text not in _FALSE,
        created=created,
    )
