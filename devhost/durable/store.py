"""SQLite persistence of the Durable engine: instances, history, messages, activity work items.

One connection, used only from the event loop's thread. WAL with
``synchronous=NORMAL``: a committed transaction survives the process being
killed (the OS holds the written pages), and commits cost no fsync.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

FINAL_STATUSES = ("Completed", "Failed", "Terminated", "Canceled")
ACTIVE_STATUSES = ("Pending", "Running", "ContinuedAsNew", "Suspended")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
    instance_id TEXT PRIMARY KEY,
    execution_id TEXT NOT NULL,
    name TEXT NOT NULL,
    runtime_status TEXT NOT NULL,
    input TEXT,
    output TEXT,
    custom_status TEXT,
    created_time REAL NOT NULL,
    last_updated_time REAL NOT NULL,
    parent_instance_id TEXT,
    parent_task_id INTEGER,
    parent_execution_id TEXT
);
CREATE INDEX IF NOT EXISTS instances_by_created ON instances(created_time, instance_id);
CREATE TABLE IF NOT EXISTS history (
    instance_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (instance_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id TEXT NOT NULL,
    execution_id TEXT,
    visible_at REAL NOT NULL,
    event TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_instance ON messages(instance_id);
CREATE TABLE IF NOT EXISTS activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    task_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    input TEXT
);
CREATE INDEX IF NOT EXISTS activities_by_instance ON activities(instance_id);
"""


@dataclass
class InstanceRow:
    instance_id: str
    execution_id: str
    name: str
    runtime_status: str
    input: str | None
    output: str | None
    custom_status: str | None
    created_time: float
    last_updated_time: float
    parent_instance_id: str | None
    parent_task_id: int | None
    parent_execution_id: str | None


@dataclass
class MessageRow:
    id: int
    instance_id: str
    execution_id: str | None
    visible_at: float
    event: dict


@dataclass
class ActivityRow:
    id: int
    instance_id: str
    execution_id: str
    task_id: int
    name: str
    input: str | None


_INSTANCE_COLUMNS = (
    "instance_id, execution_id, name, runtime_status, input, output, custom_status, "
    "created_time, last_updated_time, parent_instance_id, parent_task_id, parent_execution_id"
)


class StoreUnavailable(Exception):
    """The durable state file cannot be opened or created."""


class Store:
    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA temp_store=MEMORY")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(f"{path}: {exc}") from exc
        self._in_transaction = False

    def close(self) -> None:
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work; nested use joins the outer transaction."""
        if self._in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            self._db.execute("COMMIT")
        finally:
            self._in_transaction = False

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the current transaction that is undone alone if it raises."""
        self._db.execute("SAVEPOINT part")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK TO part")
            self._db.execute("RELEASE part")
            raise
        self._db.execute("RELEASE part")

    # instances ------------------------------------------------------------------------
    def put_instance(self, row: InstanceRow) -> None:
        self._db.execute(
            f"INSERT OR REPLACE INTO instances ({_INSTANCE_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.instance_id,
                row.execution_id,
                row.name,
                row.runtime_status,
                row.input,
                row.output,
                row.custom_status,
                row.created_time,
                row.last_updated_time,
                row.parent_instance_id,
                row.parent_task_id,
                row.parent_execution_id,
            ),
        )

    def get_instance(self, instance_id: str) -> InstanceRow | None:
        found = self._db.execute(
            f"SELECT {_INSTANCE_COLUMNS} FROM instances WHERE instance_id = ?", (instance_id,)
        ).fetchone()
        return InstanceRow(*found) if found else None

    def active_instances(self) -> list[InstanceRow]:
        marks = ",".join("?" * len(ACTIVE_STATUSES))
        rows = self._db.execute(
            f"SELECT {_INSTANCE_COLUMNS} FROM instances WHERE runtime_status IN ({marks})",
            ACTIVE_STATUSES,
        ).fetchall()
        return [InstanceRow(*r) for r in rows]

    def query_instances(
        self,
        *,
        created_from: float | None,
        created_to: float | None,
        statuses: list[str] | None,
        prefix: str | None,
        after: tuple[float, str] | None,
        limit: int | None,
    ) -> list[InstanceRow]:
        where, params = self._filters(created_from, created_to, statuses, prefix)
        if after is not None:
            where.append("(created_time > ? OR (created_time = ? AND instance_id > ?))")
            params += [after[0], after[0], after[1]]
        sql = f"SELECT {_INSTANCE_COLUMNS} FROM instances"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_time, instance_id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [InstanceRow(*r) for r in self._db.execute(sql, params).fetchall()]

    @staticmethod
    def _filters(
        created_from: float | None,
        created_to: float | None,
        statuses: list[str] | None,
        prefix: str | None,
    ) -> tuple[list[str], list]:
        where: list[str] = []
        params: list = []
        if created_from is not None:
            where.append("created_time >= ?")
            params.append(created_from)
        if created_to is not None:
            where.append("created_time <= ?")
            params.append(created_to)
        if statuses:
            where.append(f"runtime_status IN ({','.join('?' * len(statuses))})")
            params += statuses
        if prefix:
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("instance_id LIKE ? ESCAPE '\\'")
            params.append(escaped + "%")
        return where, params

    def delete_instance(self, instance_id: str) -> None:
        for table in ("instances", "history", "messages", "activities"):
            self._db.execute(f"DELETE FROM {table} WHERE instance_id = ?", (instance_id,))

    def final_instance_ids(
        self, created_from: float, created_to: float | None, statuses: list[str] | None
    ) -> list[str]:
        chosen = [s for s in (statuses or FINAL_STATUSES) if s in FINAL_STATUSES]
        if not chosen:
            return []
        where, params = self._filters(created_from, created_to, chosen, None)
        sql = "SELECT instance_id FROM instances WHERE " + " AND ".join(where)
        return [r[0] for r in self._db.execute(sql, params).fetchall()]

    # history ----------------------------------------------------------------------------
    def append_history(self, instance_id: str, first_seq: int, events: Iterable[str]) -> None:
        self._db.executemany(
            "INSERT INTO history (instance_id, seq, event) VALUES (?, ?, ?)",
            [(instance_id, first_seq + i, e) for i, e in enumerate(events)],
        )

    def clear_history(self, instance_id: str) -> None:
        self._db.execute("DELETE FROM history WHERE instance_id = ?", (instance_id,))

    def load_history(self, instance_id: str) -> list[dict]:
        rows = self._db.execute(
            "SELECT event FROM history WHERE instance_id = ? ORDER BY seq", (instance_id,)
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    # messages -----------------------------------------------------------------------------
    def add_message(
        self, instance_id: str, execution_id: str | None, visible_at: float, event: dict
    ) -> MessageRow:
        cursor = self._db.execute(
            "INSERT INTO messages (instance_id, execution_id, visible_at, event) "
            "VALUES (?, ?, ?, ?)",
            (instance_id, execution_id, visible_at, json.dumps(event)),
        )
        return MessageRow(cursor.lastrowid, instance_id, execution_id, visible_at, event)

    def delete_messages(self, ids: Iterable[int]) -> None:
        self._db.executemany("DELETE FROM messages WHERE id = ?", [(i,) for i in ids])

    def delete_instance_messages(self, instance_id: str) -> None:
        self._db.execute("DELETE FROM messages WHERE instance_id = ?", (instance_id,))

    def all_messages(self) -> list[MessageRow]:
        rows = self._db.execute(
            "SELECT id, instance_id, execution_id, visible_at, event FROM messages ORDER BY id"
        ).fetchall()
        return [MessageRow(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows]

    # activities -----------------------------------------------------------------------------
    def add_activity(
        self, instance_id: str, execution_id: str, task_id: int, name: str, input_text: str | None
    ) -> ActivityRow:
        cursor = self._db.execute(
            "INSERT INTO activities (instance_id, execution_id, task_id, name, input) "
            "VALUES (?, ?, ?, ?, ?)",
            (instance_id, execution_id, task_id, name, input_text),
        )
        return ActivityRow(cursor.lastrowid, instance_id, execution_id, task_id, name, input_text)

    def delete_activity(self, activity_id: int) -> None:
        self._db.execute("DELETE FROM activities WHERE id = ?", (activity_id,))

    def delete_instance_activities(self, instance_id: str) -> None:
        self._db.execute("DELETE FROM activities WHERE instance_id = ?", (instance_id,))

    def all_activities(self) -> list[ActivityRow]:
        rows = self._db.execute(
            "SELECT id, instance_id, execution_id, task_id, name, input FROM activities ORDER BY id"
        ).fetchall()
        return [ActivityRow(*r) for r in rows]
