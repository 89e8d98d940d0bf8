"""Runtime configuration, read from the environment and `.env` (pydantic-settings).

Secrets are `SecretStr`: they never appear in a repr, a log line or a trace.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    database_url: str = ""
    data_dir: Path = DEFAULT_DATA_DIR
    default_timezone: str = "Asia/Seoul"
    default_currency: str = "KRW"
    default_margin: float = Field(0.30, ge=0.0, lt=1.0)

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = 20.0

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str | None = None
    telegram_base_file_url: str | None = None
    telegram_webhook_url: str | None = None
    # the webhook listener's address: loopback unless told otherwise (a reverse proxy
    # in front forwards Telegram's requests); webhook mode needs the secret
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: SecretStr | None = None
    # seconds to wait for a Bot API answer; a send cut off by it is not sent again
    telegram_read_timeout: float = Field(5.0, gt=0)
    operator_chat_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    prompts_dir: Path = PROJECT_ROOT / "prompts"
    chroma_url: str | None = None
    # the vector index folder; default DATA_DIR/chroma/<name of the database>
    chroma_dir: Path | None = None
    # vector index embedding: auto (OpenAI when a key is set, else hashing), hashing,
    # openai, or openai:<model>; see storage/vector/embeddings.py
    embedding: str = "auto"

    # live store connectors (storage.connectors): the Fernet key that seals stored
    # credentials, and how often the bot (or `advisor sync --watch`) syncs
    advisor_secret_key: SecretStr | None = None
    sync_every_minutes: int = Field(10, ge=0)  # 0: the bot does not sync (advisor sync --watch)
    # scheduled work (sync, scans, delivery, inquiry drafts): in the bot's own JobQueue
    # ("embedded"), or on the PostgreSQL job queue that `advisor worker`s run ("queue")
    jobs: Literal["embedded", "queue"] = "embedded"

    @field_validator("operator_chat_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @property
    def resolved_database_url(self) -> str:
        """DATABASE_URL, or the embedded SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'store.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
