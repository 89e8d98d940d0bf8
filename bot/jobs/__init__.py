"""Scheduled work on a PostgreSQL job queue that any number of workers share.

The embedded default (SQLite, one `advisor bot`) runs sync, scans, delivery and the
inquiry loop in the bot's own JobQueue (bot.scheduler). With JOBS=queue on
PostgreSQL the bot only answers chats; `advisor scheduler` defers each seller's work
(bot.jobs.schedule) and `advisor worker`s run it (bot.jobs.worker, bot.jobs.tasks:
the same functions, for one seller a job), sharing Telegram's send rate
(bot.jobs.limits); `advisor jobs status` and /stats show the queue (bot.jobs.status).
"""

from bot.jobs.queue import KINDS, Kind, QueueConfigError, enqueue, install_schema, make_app, queued

__all__ = ["KINDS", "Kind", "QueueConfigError", "enqueue", "install_schema", "make_app", "queued"]
