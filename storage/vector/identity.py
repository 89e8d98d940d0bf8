"""Which database a vector index belongs to.

The index holds copies of a database's rows (products, answered inquiries), so it
is bound to that database, never shared by default:

- its folder is DATA_DIR/chroma/<name>-<hash of the database URL> (CHROMA_DIR
  overrides it): two databases never open the same folder by accident;
- every collection records the database's identity in its metadata: the random
  `instance_id` the database holds itself (table `store_meta`, made with the
  schema) and its URL's key. A collection built for another identity (a database
  replaced or restored under the same path, two databases given one CHROMA_DIR)
  is emptied and built again from the database it is opened for;
- on a shared Chroma server (CHROMA_URL) the collection names also carry a short
  namespace derived from the identity, so databases keep separate collections.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from storage.models import StoreMeta
from storage.settings import Settings

INSTANCE_KEY = "instance_id"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class DatabaseIdentity:
    """A database as the vector index knows it."""

    instance_id: str  # store_meta.instance_id
    url_key: str  # "<name>-<hash>" of the database URL (no password)

    @property
    def signature(self) -> str:
        """What a collection built for this database records (`database`)."""
        return f"{self.instance_id}:{self.url_key}"

    @property
    def namespace(self) -> str:
        """A short prefix for collection names on a shared Chroma server."""
        return "db" + hashlib.sha256(self.signature.encode()).hexdigest()[:10]


def url_key(url: str) -> str:
    """A folder name for a database URL: readable, unique per database, no secret."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = str(parsed.database or "")
        where = str(Path(database).resolve()) if database not in ("", ":memory:") else ":memory:"
        name = Path(database).stem if database not in ("", ":memory:") else "memory"
    else:
        where = parsed.set(password=None).render_as_string(hide_password=True)
        name = f"{parsed.get_backend_name()}-{parsed.database or 'db'}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:10]
    return f"{_UNSAFE.sub('_', name)[:40] or 'db'}-{digest}"


def instance_id(session: Session) -> str:
    """The database's own random id. Migration 0006 makes it; when the row is missing
    (a table emptied by hand) a new one is written in the caller's transaction, kept
    when the caller commits."""
    stored = session.scalar(select(StoreMeta.value).where(StoreMeta.key == INSTANCE_KEY))
    if stored:
        return stored
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(StoreMeta)
        .values(key=INSTANCE_KEY, value=uuid.uuid4().hex)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    made = session.scalar(select(StoreMeta.value).where(StoreMeta.key == INSTANCE_KEY))
    assert made is not None
    return made


def identity_of(session: Session) -> DatabaseIdentity:
    """The identity of the database `session` is bound to."""
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    return DatabaseIdentity(instance_id(session), url_key(url))


def index_folder(settings: Settings, key: str | None = None) -> Path:
    """CHROMA_DIR, else DATA_DIR/chroma/<key> (default: the key of DATABASE_URL)."""
    if settings.chroma_dir is not None:
        return settings.chroma_dir
    return settings.data_dir / "chroma" / (key or url_key(settings.resolved_database_url))
