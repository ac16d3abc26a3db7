"""Reading records from a JSON or CSV file and loading them into a tenant's book in
chunks (the logic of ``ledgerbridge import``; the command is in ``cli_import``).

JSON: a list of records or ``{"records": [...]}``, each naming its kind in ``object``
as the bulk endpoint takes them (or in ``kind``, when that names a record kind, or by
``--kind``). CSV: one kind per file; the header
names fields, dots nest them (``billing_address.city``), empty cells are left out, and
for documents consecutive rows with the same ``external_id`` form one document whose
``line.*`` (payments: ``application.*``) columns give one item per row.

Every record read ends in exactly one outcome: created, updated, unchanged or
rejected (with its source position and problems); none is dropped."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from ledgerbridge.book import bulk
from ledgerbridge.book.kinds import BY_PLURAL, KINDS
from ledgerbridge.book.validation import rejection_message
from ledgerbridge.errors import Problem

CHUNK_SIZE = bulk.MAX_BULK
ORIGIN = "import"
STATUSES = ("created", "updated", "unchanged", "rejected")


class ImportFileError(Exception):
    """The file cannot be imported at all; nothing was written."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass
class SourceRecord:
    """One record as read, with where it came from and any problem found in reading."""

    position: str
    record: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    rows: int = 1

    @property
    def kind(self) -> str | None:
        value = self.record.get("object")
        return value if isinstance(value, str) else None

    @property
    def external_id(self) -> str | None:
        value = self.record.get("external_id")
        return value if isinstance(value, str) else None


@dataclass
class Source:
    path: Path
    count: int
    rows: int
    read: Callable[[], Iterator[SourceRecord]]


# kinds ---------------------------------------------------------------------------------
def normalize_kind(name: str) -> str | None:
    """``work_code`` from ``work_code``, ``work-codes``, ``Work_Codes``; else None."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in KINDS:
        return key
    spec = BY_PLURAL.get(key)
    return spec.name if spec is not None else None


def _known_kinds() -> str:
    return ", ".join(KINDS)


def _checked_kind(path: Path, kind: str | None) -> str | None:
    if kind is None:
        return None
    found = normalize_kind(kind)
    if found is None:
        raise ImportFileError(path, f"unknown kind '{kind}' (known: {_known_kinds()})")
    return found


def kind_from_filename(path: Path) -> str | None:
    """``customers.csv`` -> customer, ``work-codes.csv`` -> work_code."""
    return normalize_kind(path.name.split(".", 1)[0])


def item_prefix(kind: str) -> str | None:
    """The column prefix of a document's items: ``line`` or ``application``."""
    items = KINDS[kind].items_field
    return items.removesuffix("s") if items else None


def read_source(path: Path, kind: str | None = None) -> Source:
    """Read and check the whole file; ImportFileError when it cannot be imported."""
    if not path.is_file():
        raise ImportFileError(path, "cannot be read: no such file")
    kind = _checked_kind(path, kind)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json(path, kind)
    if suffix == ".csv":
        return read_csv(path, kind)
    raise ImportFileError(path, "is neither a .json nor a .csv file")


# JSON ----------------------------------------------------------------------------------
def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ImportFileError(path, f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(path, f"is not UTF-8 text (byte {exc.start})") from None


def read_json(path: Path, kind: str | None) -> Source:
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise ImportFileError(path, f"is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                    f"column {exc.colno}") from None
    items = data.get("records") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ImportFileError(path, 'must hold a list of records or {"records": [...]}')
    records = [_json_record(path, n, item, kind) for n, item in enumerate(items)]
    return Source(path, len(records), len(records), lambda: iter(records))


def _json_record(path: Path, n: int, item: Any, kind: str | None) -> SourceRecord:
    where = f"index {n}"
    if not isinstance(item, dict):
        raise ImportFileError(path, f"{where}: a record must be a JSON object")
    record = dict(item)
    given = record.pop("object", None)
    if given is None and kind is None and record.get("kind") in KINDS:
        given = record.pop("kind")  # the kind named by 'kind' (an invoice's is a field)
    if given is None and kind is None:
        raise ImportFileError(path, f"{where}: the record has no kind; give each record "
                                    "its 'object' (customer, invoice, ...) or use --kind")
    if given is not None and (not isinstance(given, str) or given not in KINDS):
        raise ImportFileError(path, f"{where}: unknown kind '{given}' "
                                    f"(known: {_known_kinds()})")
    if given is not None and kind is not None and given != kind:
        raise ImportFileError(path, f"{where}: the record's kind '{given}' is not "
                                    f"--kind '{kind}'")
    return SourceRecord(where, {"object": given or kind, **record})


# CSV -----------------------------------------------------------------------------------
Row = tuple[int, int, list[str]]


def read_csv(path: Path, kind: str | None) -> Source:
    kind = kind or kind_from_filename(path)
    if kind is None:
        raise ImportFileError(path, "cannot tell the kind from the file name; use --kind "
                                    f"(one of: {_known_kinds()})")
    rows = _csv_rows(path)
    header = _header(path, kind, next(rows, None))
    count, data_rows = _count(_csv_records(kind, header, rows))
    return Source(path, count, data_rows,
                  lambda: _csv_records(kind, header, islice(_csv_rows(path), 1, None)))


def _count(records: Iterator[SourceRecord]) -> tuple[int, int]:
    count = rows = 0
    for rec in records:
        count += 1
        rows += rec.rows
    return count, rows


def _csv_rows(path: Path) -> Iterator[Row]:
    """(first line, last line, cells) of each row with any content."""
    reader = None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            last = 0
            for cells in reader:
                first, last = last + 1, reader.line_num
                if any(cell.strip() for cell in cells):
                    yield first, last, [cell.strip() for cell in cells]
    except OSError as exc:
        raise ImportFileError(path, f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(path, f"is not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        line = reader.line_num if reader is not None else 0
        raise ImportFileError(path, f"line {line}: {exc}") from None


def _header(path: Path, kind: str, row: Row | None) -> list[str]:
    if row is None:
        raise ImportFileError(path, "is empty: the first row must name the fields")
    names = row[2]
    prefix = item_prefix(kind)
    for n, name in enumerate(names, start=1):
        if not name or "" in name.split("."):
            raise ImportFileError(path, f"line {row[0]}: column {n} has no proper name")
        if name == "object":
            raise ImportFileError(path, f"line {row[0]}: column 'object': the kind comes "
                                        "from --kind or the file name, not a column")
        head = name.split(".", 1)[0]
        if "." in name and head in ("line", "application") and head != prefix:
            raise ImportFileError(path, f"line {row[0]}: column '{name}': a {kind} has "
                                        f"no {head}s")
    duplicates = sorted(name for name, seen in Counter(names).items() if seen > 1)
    if duplicates:
        raise ImportFileError(path, f"line {row[0]}: column(s) named twice: "
                                    f"{', '.join(duplicates)}")
    return names


def _values(header: list[str], cells: list[str]) -> tuple[dict[str, str], list[Problem]]:
    problems = []
    if any(cells[len(header):]):
        problems.append(Problem("", f"has {len(cells)} cells but the header names "
                                    f"{len(header)} columns"))
    return {name: cell for name, cell in zip(header, cells, strict=False) if cell}, problems


def nest(values: dict[str, str], problems: list[Problem]) -> dict[str, Any]:
    """``{"a.b": "1"}`` -> ``{"a": {"b": "1"}}``."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        *parents, leaf = name.split(".")
        target = out
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                break
        if not isinstance(target, dict) or leaf in target:
            problems.append(Problem(name, "is given both as a value and as dotted fields "
                                          "in other columns; give one"))
            continue
        target[leaf] = value
    return out


def _position(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _csv_records(kind: str, header: list[str], rows: Iterable[Row]
                 ) -> Iterator[SourceRecord]:
    prefix = item_prefix(kind)
    if prefix is None:
        for first, last, cells in rows:
            values, problems = _values(header, cells)
            yield SourceRecord(_position(first, last),
                               {"object": kind, **nest(values, problems)}, problems)
        return
    yield from _documents(kind, prefix, header, rows)


@dataclass
class _Document:
    first: int
    last: int
    head: dict[str, str]
    items: list[dict[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 1

    def add_row(self, first: int, last: int, head: dict[str, str]) -> None:
        for name, value in head.items():
            had = self.head.setdefault(name, value)
            if had != value:
                self.problems.append(Problem(name, f"line {first} gives '{value}' but "
                                                   f"line {self.first} gave '{had}'"))
        self.last = last
        self.rows += 1


def _documents(kind: str, prefix: str, header: list[str], rows: Iterable[Row]
               ) -> Iterator[SourceRecord]:
    current: _Document | None = None
    for first, last, cells in rows:
        values, problems = _values(header, cells)
        item = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith(prefix + ".")}
        head = {k: v for k, v in values.items() if not k.startswith(prefix + ".")}
        key = head.get("external_id")
        if current is not None and key is not None and key == current.head.get("external_id"):
            current.add_row(first, last, head)
        else:
            if current is not None:
                yield _document_record(kind, prefix, current)
            current = _Document(first, last, head)
        current.problems += problems
        if item:
            current.items.append(item)
    if current is not None:
        yield _document_record(kind, prefix, current)


def _document_record(kind: str, prefix: str, doc: _Document) -> SourceRecord:
    problems = list(doc.problems)
    record: dict[str, Any] = {"object": kind, **nest(doc.head, problems)}
    if doc.items:
        record[KINDS[kind].items_field or prefix + "s"] = [
            nest(item, problems) for item in doc.items]
    return SourceRecord(_position(doc.first, doc.last), record, problems, doc.rows)


# loading -------------------------------------------------------------------------------
@dataclass
class Rejected:
    position: str
    kind: str | None
    external_id: str | None
    message: str
    problems: list[Problem]


@dataclass
class ImportResult:
    total: int
    dry_run: bool
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    rejected: list[Rejected] = field(default_factory=list)
    chunks: int = 0

    def add(self, source: SourceRecord, outcome: bulk.BulkOutcome | None) -> None:
        kind = (outcome.kind if outcome else None) or source.kind or "(unknown)"
        status = outcome.status if outcome else "rejected"
        self.counts[(kind, status)] += 1
        if status == "rejected":
            problems = source.problems if outcome is None else outcome.problems
            message = outcome.message if outcome and outcome.message else (
                rejection_message(kind.replace("_", " "), problems))
            self.rejected.append(Rejected(source.position, kind, source.external_id,
                                          message, list(problems)))

    def by_status(self) -> dict[str, int]:
        totals = dict.fromkeys(STATUSES, 0)
        for (_, status), n in self.counts.items():
            totals[status] = totals.get(status, 0) + n
        return totals

    def kinds(self) -> list[str]:
        return list(dict.fromkeys(kind for kind, _ in self.counts))

    @property
    def accounted(self) -> int:
        return sum(self.counts.values())


def _chunks(records: Iterator[SourceRecord], size: int) -> Iterator[list[SourceRecord]]:
    while chunk := list(islice(records, size)):
        yield chunk


def _load_chunk(conn: Connection, tenant_id: str, chunk: list[SourceRecord],
                result: ImportResult, tick: Callable[[], None]) -> None:
    loadable = [source.record for source in chunk if not source.problems]
    outcomes = iter(bulk.load(conn, tenant_id, loadable, origin=ORIGIN,
                              progress=lambda _: tick()))
    for source in chunk:
        if source.problems:
            result.add(source, None)
            tick()
        else:
            result.add(source, next(outcomes))
    result.chunks += 1


def import_source(engine: Engine, tenant_id: str, source: Source, *, dry_run: bool = False,
                  chunk_size: int = CHUNK_SIZE, tick: Callable[[], None] = lambda: None,
                  ) -> ImportResult:
    """Load ``source`` in chunks of ``chunk_size``, each committed in its own
    transaction. A dry run loads every chunk in one transaction that is rolled back,
    so later chunks still see the records of earlier ones, and writes nothing."""
    result = ImportResult(source.count, dry_run)
    chunks = _chunks(source.read(), chunk_size)
    if dry_run:
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                for chunk in chunks:
                    _load_chunk(conn, tenant_id, chunk, result, tick)
            finally:
                transaction.rollback()
        return result
    for chunk in chunks:
        with engine.begin() as conn:
            _load_chunk(conn, tenant_id, chunk, result, tick)
    return result


REPORT_COLUMNS = ("position", "kind", "external_id", "message", "problems")


def write_report(path: Path, rejected: Iterable[Rejected]) -> None:
    """The rejected records as CSV: one row each, its problems joined by ' | '."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_COLUMNS)
        for rej in rejected:
            writer.writerow([rej.position, rej.kind or "", rej.external_id or "",
                             rej.message, " | ".join(p.as_text() for p in rej.problems)])
