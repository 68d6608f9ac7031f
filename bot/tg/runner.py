"""Start, run and stop the bot: long polling or webhook, clean shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import secrets
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse, urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.broadcast.runtime import Broadcasting
from bot.broadcast.sender import SenderConfig
from bot.config import ConfigError, Settings
from bot.core.loader import KnowledgeError
from bot.live import LiveKnowledge
from bot.logsetup import install_redaction, setup_logging
from bot.metrics import Metrics, SharedRead
from bot.responder_cache import ResponderCache
from bot.storage.question_log import Storage
from bot.storage.retention import expire_contexts_every, purge_every
from bot.tg.app import CommandMenus, Extension, build_application
from bot.tg.flood import FloodGate
from bot.tg.pacing import ChatPacer, PaceLimits
from bot.tg.reloading import reload_and_tell_admins
from bot.tg.services import Services
from bot.tg.updates import read_update
from bot.tg.webhook import HttpLimits, WebhookServer
from bot.watch import KnowledgeWatcher, fingerprint

log = logging.getLogger(__name__)
# Seconds one read of the outbox depth serves /metrics scrapes (Prometheus scrapes every 15 s
# or so; a flood of scrapes then costs one count a second).
DEPTH_FRESH = 1.0


@dataclass(frozen=True)
class WebhookOptions:
    url: str  # public HTTPS URL Telegram posts to; its path is the one served locally
    listen: str = "127.0.0.1"
    port: int = 8080
    secret_token: str | None = None  # generated when not given: never run an open webhook


class BotRuntime:
    """Everything one running bot owns, built here and only here, started and stopped in a
    fixed order."""

    def __init__(self, settings: Settings, webhook: WebhookOptions | None = None, *,
                 clock: Callable[[], datetime] | None = None, flood: FloodGate | None = None,
                 poll_timeout: float = 10.0, extensions: Sequence[Extension] = (),
                 watch_interval: float | None = None,
                 http_limits: HttpLimits | None = None,
                 pacer: ChatPacer | None = None) -> None:
        self.settings = settings
        self.http_limits = http_limits  # deadlines and connection cap of the HTTP server
        self.webhook = webhook
        self.secret_token = (webhook.secret_token if webhook and webhook.secret_token
                             else secrets.token_urlsafe(32))
        self.clock = clock or (lambda: datetime.now(settings.timezone))
        self.flood = flood or FloodGate()
        # Telegram's limits, for every request the bot makes
        self.pacer = pacer or ChatPacer(PaceLimits(overall=settings.send_rate))
        self.poll_timeout = poll_timeout
        self.broadcasting = Broadcasting(settings.database, self.clock,
                                         SenderConfig(rate=settings.broadcast_rate),
                                         admins=settings.admin_ids)
        self.extensions = tuple(extensions)
        # Seconds between looks at the knowledge folder; 0: only /reload and SIGHUP reload.
        self.watch_interval = settings.watch_seconds if watch_interval is None else watch_interval
        self._watcher: asyncio.Task[None] | None = None
        self._purger: asyncio.Task[None] | None = None
        self._expirer: asyncio.Task[None] | None = None
        self.services: Services | None = None
        self.app: Application | None = None  # type: ignore[type-arg]
        self.server: WebhookServer | None = None
        self.port: int | None = None  # the webhook server's bound port
        self.http_port: int | None = None  # polling: the /healthz + /metrics server's port
        self.started_at = time.monotonic()
        self.metrics = Metrics()
        collect_broadcast_metrics(self.metrics, self.broadcasting)

    async def start(self) -> None:
        settings = self.settings
        token = settings.require_token()
        install_redaction([token, self.secret_token])
        if self.webhook is None and settings.http_port is not None:
            await self._start_http(settings.http_listen, settings.http_port)
        elif settings.http_port is not None:
            log.warning("LLAMABOT_HTTP_PORT is ignored in webhook mode: /healthz and /metrics"
                        " are served on the webhook port")
        # The folder as it is loaded: an edit made while the bot starts is reloaded then.
        loaded = await asyncio.to_thread(fingerprint, settings.knowledge_dir)
        live = await asyncio.to_thread(LiveKnowledge.load, settings.knowledge_dir,
                                       settings.timezone, ResponderCache(settings.cache_dir))
        storage = await Storage.open(settings.database)
        if not storage.healthy:
            log.warning("starting without a usable database: questions will not be logged")
        self.services = Services(settings, live, storage, self.broadcasting, self.clock,
                                 self.flood, self.metrics)
        self.app = build_application(self.services, token=token, base_url=settings.base_url,
                                     extensions=self.extensions, pacer=self.pacer)
        try:
            await self.app.initialize()  # getMe: fails fast on a wrong token or no network
        except BaseException:
            await storage.close()
            raise
        await self.broadcasting.start(self.app.bot, live)
        menus = CommandMenus(self.app, settings.admin_ids)
        await menus.publish(live.knowledge.bot.event)
        live.listen(menus.knowledge_changed)
        await self.app.start()
        if self.watch_interval > 0:
            watcher = KnowledgeWatcher(settings.knowledge_dir, self.files_changed,
                                       interval=self.watch_interval, seen=loaded)
            self._watcher = asyncio.create_task(watcher.run(), name="knowledge-watcher")
        if settings.retention_days:
            self._purger = asyncio.create_task(
                purge_every(storage, settings.retention_days, self.clock), name="purge")
        if settings.conversation:
            self._expirer = asyncio.create_task(expire_contexts_every(storage, self.clock),
                                                name="expire-contexts")
        if self.webhook is None:
            assert self.app.updater is not None
            await self.app.updater.start_polling(
                poll_interval=0.0, timeout=int(self.poll_timeout),
                allowed_updates=Update.ALL_TYPES, error_callback=self._polling_error)
            log.info("polling as @%s with %d facts (knowledge %s)", self.app.bot.username,
                     len(live.knowledge.facts), live.knowledge.version)
        else:
            await self._start_webhook(self.webhook)

    async def _start_webhook(self, options: WebhookOptions) -> None:
        assert self.app is not None
        app = self.app

        async def on_update(data: dict[str, Any]) -> None:
            update = read_update(data, app.bot, self.metrics.errors.inc)
            await app.update_queue.put(update)

        server = WebhookServer(urlparse(options.url).path or "/", self.secret_token,
                               on_update, self.health, self.metrics.render, self.http_limits)
        try:
            self.port = await server.start(options.listen, options.port)
        except OSError as exc:
            raise ConfigError(f"--listen/--port: cannot listen on {options.listen}:"
                              f"{options.port}: {_bind_failure(exc)}") from None
        self.server = server
        await app.bot.set_webhook(options.url, secret_token=self.secret_token,
                                  allowed_updates=Update.ALL_TYPES)
        log.info("webhook set for @%s", app.bot.username)

    async def _start_http(self, listen: str, port: int) -> None:
        """Polling mode's own small server: /healthz and /metrics only (`LLAMABOT_HTTP_PORT`).

        Started first, so a busy port stops start-up at once; /healthz says 503 until ready.
        """
        self.server = WebhookServer(None, "", None, self.health, self.metrics.render,
                                    self.http_limits)
        try:
            self.http_port = await self.server.start(listen, port)
        except OSError as exc:
            self.server = None
            raise ConfigError(f"LLAMABOT_HTTP_PORT: cannot listen on {listen}:{port}:"
                              f" {_bind_failure(exc)}") from None

    async def reload(self, reason: str) -> None:
        """Reload the knowledge folder now (SIGHUP) and tell the admins."""
        await self._reload(reason, only_if_changed=False)

    async def files_changed(self) -> None:
        """The folder watcher saw an edit: reload and tell the admins, unless the folder
        holds what is live already (a file the bot wrote itself, e.g. an applied upload)."""
        await self._reload("files changed", only_if_changed=True)

    async def _reload(self, reason: str, *, only_if_changed: bool) -> None:
        # Replicas sharing a database all see one edit: only the broadcast sender reports a
        # success (admins get one message, not one per replica); a refused edit is reported
        # by every replica that refused it.
        if self.services is not None and self.app is not None:
            sender = self.broadcasting.service is None or self.broadcasting.leading
            await reload_and_tell_admins(self.services, self.app.bot, reason,
                                         tell_success=sender, only_if_changed=only_if_changed)

    def _polling_error(self, error: TelegramError) -> None:
        log.warning("polling error (retrying): %s", error)

    async def health(self) -> tuple[bool, dict[str, Any]]:
        """The /healthz body: never includes the token or paths with secrets."""
        if self.services is None:
            return False, {"status": "starting"}
        db = await self.services.storage.health()
        knowledge = self.services.knowledge
        broadcasts = self.broadcasting.problem()
        ok = db.ok and broadcasts is None
        body: dict[str, Any] = {
            "status": "ok" if ok else "degraded",
            "knowledge_version": knowledge.version,
            "facts": len(knowledge.facts),
            "database": db.detail,
            "uptime_s": round(time.monotonic() - self.started_at, 1),
        }
        if broadcasts is not None:
            body["broadcasts"] = broadcasts
        return ok, body

    async def stop(self) -> None:
        """Stop taking updates, finish those in flight, then close the database."""
        for task in (self._watcher, self._purger, self._expirer):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if self.server is not None:
            await self.server.stop()
        app = self.app
        if app is not None:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            self.pacer.stop()  # answers held for a slot would hold up the stop
            if app.running:
                await app.stop()  # processes the updates already queued
            await self.broadcasting.stop()  # sends in flight finish through app.bot
            if self.services is not None:
                await self.services.albums.close()  # albums' notes not yet sent
            await app.shutdown()
        if self.services is not None:
            await self.services.storage.close()
        log.info("stopped cleanly")


def _bind_failure(exc: OSError) -> str:
    """Why a server could not listen, in a few words."""
    # An unknown host is a resolver error: its code is no errno (os.strerror(-2) says
    # "Unknown error -2") but it carries its own text. A busy port comes in asyncio's long
    # sentence: the errno's own text is enough.
    if isinstance(exc, socket.gaierror):
        return exc.strerror or str(exc)
    return os.strerror(exc.errno) if exc.errno else str(exc)


def collect_broadcast_metrics(metrics: Metrics, broadcasting: Broadcasting) -> None:
    """Broadcast counts and the outbox depth, read from the broadcast service at scrape time."""

    async def messages() -> dict[str, float] | None:
        if broadcasting.service is None:
            return None
        stats = broadcasting.service.stats()
        return {"sent": stats.sent, "failed": stats.failed, "blocked": stats.blocked}

    def sender_count(name: str) -> Callable[[], Awaitable[dict[str, float] | None]]:
        """One of the sender's counts (`SenderStats` field `name`), None before it runs."""
        async def read() -> dict[str, float] | None:
            service = broadcasting.service
            return None if service is None else {"": getattr(service.stats(), name)}
        return read

    async def read_depth() -> dict[str, float] | None:
        remaining = await broadcasting.outbox_depth()
        return None if remaining is None else {"": remaining}

    # A count of the outbox's rows, on the sender's own database thread: shared by the
    # scrapes of a second (a flood of them held a large broadcast at 0.5 messages a second).
    depth = SharedRead(read_depth, DEPTH_FRESH)

    metrics.collect("llamabot_broadcast_messages_total", "counter",
                    "Broadcast messages by result (blocked: the user blocked the bot).",
                    messages, label="result")
    metrics.collect("llamabot_broadcast_throttled_total", "counter",
                    "429 answers to broadcast sends (sending paused for retry_after).",
                    sender_count("throttled"))
    metrics.collect("llamabot_broadcast_unrecorded", "gauge",
                    "Broadcast messages sent whose result the database refused (retried).",
                    sender_count("unrecorded"))
    metrics.collect("llamabot_broadcast_record_failures_total", "counter",
                    "Failed writes of a broadcast result (retries included).",
                    sender_count("record_failures"))
    metrics.collect("llamabot_outbox_depth", "gauge",
                    "Broadcast messages still to send (outbox rows pending or in flight).", depth)


async def serve(settings: Settings, webhook: WebhookOptions | None = None,
                extensions: Sequence[Extension] = (),
                clock: Callable[[], datetime] | None = None) -> None:
    """Run until SIGTERM or SIGINT; on `clock` if given (`llamabot run --now`)."""
    # Database writes (question log, outbox) run in worker threads. With the default 5 ms GIL
    # switch interval each step of a reply could wait that long for one of them; 0.5 ms
    # keeps replies flowing at a negligible cost in switches.
    sys.setswitchinterval(0.0005)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if clock is not None:
        log.warning("--now: the bot's clock reads %s (reminders, countdowns, the sender and"
                    " retention follow it)", clock().isoformat())
    runtime = BotRuntime(settings, webhook, clock=clock, extensions=extensions)
    reloads: set[asyncio.Task[None]] = set()

    def on_hangup() -> None:  # `systemctl reload` / `kill -HUP`: re-read the knowledge folder
        task = loop.create_task(runtime.reload("SIGHUP"))
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, on_hangup)
    try:
        await runtime.start()
        await stop.wait()
        log.info("signal received, shutting down")
    finally:
        await runtime.stop()


def prepare_process() -> None:
    """Process-wide settings of the bot's libraries, made once before anything runs."""
    # Opt in to PTB 23's timedelta durations now (PTB reads this on every use): it
    # silences a deprecation warning on every 429; our code accepts both forms.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    # httpcore does `import sniffio` inside a function on each request and falls back to
    # asyncio when it is missing (it is optional since httpx 0.28). A failed import is not
    # cached, so each request walked sys.path again: a third of a millisecond per update.
    # A None entry in sys.modules makes that import fail at once, with the same fallback.
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def run(settings: Settings, webhook: WebhookOptions | None = None,
        extensions: Sequence[Extension] = (),
        clock: Callable[[], datetime] | None = None) -> int:
    """The `llamabot run` entry point: returns the process exit code.

    `extensions` add handlers before the built-in ones (see `bot.tg.app.build_application`);
    `clock` replaces the real one for the whole bot (`--now`).
    """
    prepare_process()
    # A database password shorter than 6 characters would blank out common words instead.
    secrets_to_hide = [s for s in (settings.token, webhook and webhook.secret_token,
                                   settings.database.password) if s and len(s) >= 6]
    redactor = setup_logging(settings.log_level, secrets_to_hide, log_format=settings.log_format)

    def fail(message: str, code: int = 1) -> int:
        # Printed, not logged, so it passes the redactor by hand.
        print(redactor.redact(f"error: {message}"), file=sys.stderr)
        return code

    try:
        asyncio.run(serve(settings, webhook, extensions, clock))
    except ConfigError as err:
        return fail(str(err), 2)
    except KnowledgeError as err:
        lines = [f"the knowledge base has {len(err.problems)} problem(s):"]
        return fail("\n  ".join(lines + [str(p) for p in err.problems]))
    except InvalidToken:
        return fail("Telegram refused TELEGRAM_BOT_TOKEN (check it with @BotFather)")
    except NetworkError as err:
        # The message may quote the URL, and with it the token: print only the kind of error.
        host = urlsplit(settings.base_url).hostname  # the settings checked it can be read
        return fail(f"cannot reach the Telegram Bot API at {host} ({type(err).__name__})")
    except TelegramError as err:  # e.g. setWebhook refused, in Telegram's own words
        return fail(f"Telegram refused to start the bot: {err}")
    except KeyboardInterrupt:
        return 130
    except Exception:
        # Through logging, so even an unexpected traceback is redacted.
        log.exception("the bot stopped on an unexpected error")
        return 1
    return 0
