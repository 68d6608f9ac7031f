"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests and benchmarks.

It speaks real HTTP, so the real python-telegram-bot client (or a bot subprocess) talks
to it through `ApplicationBuilder().base_url(fake.base_url)`. Tests push updates
(`message`, `callback`, `inline`, `my_chat_member`), then wait for the bot's requests
(`wait_for`). Every call is recorded in `calls`. Failures are injected per method and
chat with `fail` (403, 429 + retry_after, 500...), latency with `delays`. Telegram's own
refusals can be switched on: `group_limit` (messages a group may get per window, then 429s
telling how long to wait, refused until then, as Telegram does), `flood_wait` (a chat told to
wait) and `migrate_group` (a group upgraded to a supergroup: sends to its old id get 400 with
`migrate_to_chat_id`), all on `clock`, which a test may replace to step time.
What Telegram refuses by itself is refused here too: a message past 4096 characters, an
inline answer holding one, a callback query's alert past 200 characters, a callback query
answered twice, an inline keyboard of more than 100 buttons.

Runs in a daemon thread (ThreadingHTTPServer), so it serves sync tests, asyncio tests
and subprocess bots alike.
"""

from __future__ import annotations

import email.parser
import email.policy
import html
import itertools
import json
import math
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456789:TEST-fake-token-AAAAAAAAAAAAAAAAAAAAAAAA"
MAX_INLINE_BUTTONS = 100  # Telegram refuses an inline keyboard of more
# Form fields PTB sends as plain strings; everything else arrives JSON-encoded.
_STRING_FIELDS = frozenset(
    {"text", "caption", "parse_mode", "callback_query_id", "inline_query_id", "next_offset",
     "secret_token", "url", "language_code", "query", "description", "short_description",
     "switch_pm_text", "switch_pm_parameter", "inline_message_id", "name", "action"}
)
Json = dict[str, Any]


@dataclass(frozen=True)
class Call:
    method: str
    params: Json
    at: float  # time.monotonic()
    message_id: int | None = None  # the id of the message a sendMessage call created

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def buttons(self) -> list[Json]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Failure:
    method: str
    status: int
    chat_id: int | None = None
    times: int | None = 1  # None: forever
    retry_after: int | None = None
    description: str = ""


@dataclass
class FakeTelegram:
    token: str = TOKEN
    username: str = "llama_test_bot"
    max_poll: float = 1.0  # cap on getUpdates long-poll, keeps shutdowns quick
    calls: list[Call] = field(default_factory=list)
    delays: dict[str, float] = field(default_factory=dict)
    # method -> an event the reply to that call waits for: a test acts while the bot waits.
    holds: dict[str, threading.Event] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    # Telegram's limits, off by default: sendMessage per group (count, seconds).
    group_limit: tuple[int, float] | None = None
    clock: Callable[[], float] = time.monotonic  # the time `group_limit` and waits go by
    flood_refused: int = 0  # 429s answered by `group_limit` or `flood_wait`
    migrated: dict[int, int] = field(default_factory=dict)  # old group id -> supergroup id

    def __post_init__(self) -> None:
        self.bot_id = int(self.token.split(":")[0])
        self._cond = threading.Condition()
        self._updates: list[Json] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._chats: dict[int, Json] = {}
        self.commands: dict[str, list[Json]] = {}
        self.webhook: Json = {}
        self.delivered: set[int] = set()  # update ids handed out by getUpdates
        # Updates below this id are confirmed (a later getUpdates asked for offset > id):
        # Telegram would never send them again; later ones it would redeliver on restart.
        self.confirmed_below = 0
        self._stopped = False
        self._server: ThreadingHTTPServer | None = None
        self.files: dict[str, bytes] = {}  # file_id -> content, served under /file/bot<token>/
        self._group_sends: dict[int, list[float]] = {}  # group -> sendMessage times (`clock`)
        self._wait_until: dict[int, float] = {}  # chat -> when it may be sent to again
        self.answered_queries: set[str] = set()  # callback queries answered (once each)

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def bot_user(self) -> Json:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Llama",
                "username": self.username, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": True}

    # -- pushing updates ---------------------------------------------------------------

    def push(self, kind: str, payload: Json) -> int:
        with self._cond:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, kind: payload})
            self._cond.notify_all()
        return update_id

    def message(self, text: str | None, user_id: int = 111, chat_id: int | None = None,
                chat_type: str = "private", reply_to_bot: bool = False, **extra: Any) -> int:
        """Push a message; commands and @mentions get their entities like real clients."""
        return self.push("message", self.make_message(
            text, user_id, chat_id, chat_type, reply_to_bot, **extra))

    def make_message(self, text: str | None, user_id: int = 111, chat_id: int | None = None,
                     chat_type: str = "private", reply_to_bot: bool = False,
                     **extra: Any) -> Json:
        chat_id = user_id if chat_id is None else chat_id
        chat: Json = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"User{user_id}"
        else:
            chat["title"] = f"Group {chat_id}"
        self._chats[chat_id] = chat
        msg: Json = {"message_id": next(self._message_ids), "date": int(time.time()),
                     "chat": chat, "from": _user(user_id), **extra}
        if text is not None:
            msg["text"] = text
            entities = _entities(text)
            if entities:
                msg["entities"] = entities
        if reply_to_bot:
            msg["reply_to_message"] = {"message_id": next(self._message_ids),
                                       "date": int(time.time()), "chat": chat,
                                       "from": self.bot_user, "text": "..."}
        return msg

    def callback(self, data: str, user_id: int = 111, chat_id: int | None = None,
                 message_id: int = 1, **message_extra: Any) -> int:
        """A tap on a button of the bot's message `message_id` (`message_extra`: its fields)."""
        chat_id = user_id if chat_id is None else chat_id
        chat = self._chats.get(chat_id, {"id": chat_id, "type": "private", "first_name": "U"})
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat,
                   "from": self.bot_user, "text": "...", **message_extra}
        # As Telegram does: the tapped message comes with its keyboard as it is now.
        if "reply_markup" not in message_extra and (markup := self._markup(message_id)):
            message["reply_markup"] = markup
        return self.push("callback_query", {
            "id": f"cb{next(self._update_ids)}", "from": _user(user_id), "chat_instance": "ci",
            "data": data, "message": message})

    def document(self, name: str, content: bytes, user_id: int = 111, chat_id: int | None = None,
                 chat_type: str = "private") -> int:
        """Push a message carrying a file; the bot fetches it with getFile and a download."""
        file_id = f"file{len(self.files)}"
        self.files[file_id] = content
        return self.message(None, user_id, chat_id, chat_type, document={
            "file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name,
            "mime_type": "application/x-yaml", "file_size": len(content)})

    def _markup(self, message_id: int) -> Json | None:
        """The keyboard the bot last gave its message `message_id` (sent or edited)."""
        with self._cond:
            for call in reversed(self.calls):
                sent = call.method == "sendMessage" and call.message_id == message_id
                edited = (call.method in ("editMessageText", "editMessageReplyMarkup")
                          and call.params.get("message_id") == message_id)
                if sent or edited:
                    return call.params.get("reply_markup") or None
        return None

    def inline(self, query: str, user_id: int = 111) -> int:
        return self.push("inline_query", {"id": f"iq{next(self._update_ids)}",
                                          "from": _user(user_id), "query": query, "offset": ""})

    def my_chat_member(self, user_id: int, status: str = "kicked") -> int:
        chat = {"id": user_id, "type": "private", "first_name": f"User{user_id}"}
        old = {"status": "member", "user": self.bot_user}
        new: Json = {"status": status, "user": self.bot_user}
        if status == "kicked":
            new["until_date"] = 0
        return self.push("my_chat_member", {"chat": chat, "from": _user(user_id),
                                            "date": int(time.time()),
                                            "old_chat_member": old, "new_chat_member": new})

    def migrate_group(self, old: int, new: int, announce: bool = True,
                      user_id: int = 111) -> None:
        """The group `old` becomes the supergroup `new`: sends to `old` are refused from now
        on; `announce` pushes the service messages Telegram sends to both chats."""
        with self._cond:
            self.migrated[old] = new
        if announce:
            self.message(None, user_id, old, "group", migrate_to_chat_id=new)
            self.message(None, user_id, new, "supergroup", migrate_from_chat_id=old)

    def flood_wait(self, chat_id: int, seconds: float) -> None:
        """Telegram asked the bot to wait `seconds` before sending to `chat_id` again."""
        with self._cond:
            self._wait_until[chat_id] = self.clock() + seconds

    # -- failures and waiting ----------------------------------------------------------

    def fail(self, method: str, status: int, *, chat_id: int | None = None,
             times: int | None = 1, retry_after: int | None = None) -> None:
        with self._cond:
            self.failures.append(Failure(method, status, chat_id, times, retry_after))

    def mark(self) -> int:
        """An index into `calls`; pass it as `since` to wait only for newer calls."""
        with self._cond:
            return len(self.calls)

    def wait_for(self, method: str, predicate: Callable[[Call], bool] | None = None, *,
                 count: int = 1, since: int = 0, timeout: float = 5.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls[since:] if c.method == method
                         and (predicate is None or predicate(c))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.params.get("text", "")[:60]) for c in self.calls[since:]]
                    raise TimeoutError(f"{count}x {method} not seen in {timeout}s; saw {seen}")
                self._cond.wait(left)

    def ask(self, text: str | None, *, count: int = 1, method: str = "sendMessage",
            timeout: float = 5.0, **message: Any) -> list[Call]:
        """Push a message and wait for the bot's `count` replies to that chat."""
        since = self.mark()
        chat_id = message.get("chat_id") or message.get("user_id", 111)
        self.message(text, **message)
        return self.wait_for(method, lambda c: c.chat_id == chat_id, count=count,
                             since=since, timeout=timeout)

    def tap(self, data: str, *, method: str = "answerCallbackQuery", timeout: float = 5.0,
            **callback: Any) -> list[Call]:
        """Push a button tap and return the bot's calls up to the first `method` call (the
        answer by default), so that `[-1]` is that call even while a broadcast goes on."""
        since = self.mark()
        self.callback(data, **callback)
        first = self.wait_for(method, since=since, timeout=timeout)[0]
        with self._cond:
            calls = self.calls[since:]
            end = next(i for i, c in enumerate(calls) if c is first) + 1
            return [c for c in calls[:end] if c.method != "getUpdates"]

    def calls_to(self, method: str, since: int = 0) -> list[Call]:
        with self._cond:
            return [c for c in self.calls[since:] if c.method == method]

    def pending_updates(self) -> int:
        with self._cond:
            return len(self._updates)

    # -- the Bot API ---------------------------------------------------------------------

    def handle(self, method: str, params: Json) -> tuple[int, Json]:
        with self._cond:
            # Known before the reply, so a test may tap a button of the message it waited for.
            failure = self._take_failure(method, params)
            invalid = self._invalid(method, params) if failure is None else None
            refusal = (self._refusal(method, params) if failure is None and invalid is None
                       else None)
            sent = (next(self._message_ids) if method in ("sendMessage", "sendPhoto")
                    and refusal is None and invalid is None
                    else None)  # a refused message was never created
            failure = failure or invalid
            self.calls.append(Call(method, params, time.monotonic(), sent))
            self._cond.notify_all()
        if refusal is not None:
            return 429 if "retry_after" in refusal["parameters"] else 400, refusal
        if method in self.delays:
            time.sleep(self.delays[method])
        if method in self.holds:
            self.holds[method].wait(10)
        if failure is not None:
            return failure.status, _error(failure)
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        return 200, {"ok": True, "result": self._result(method, params, sent)}

    def _take_failure(self, method: str, params: Json) -> Failure | None:
        for failure in self.failures:
            if failure.method != method:
                continue
            if failure.chat_id is not None and str(params.get("chat_id")) != str(failure.chat_id):
                continue
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
            return failure
        return None

    def _refusal(self, method: str, params: Json) -> Json | None:
        """Telegram's own answer refusing a message (see `group_limit`), if it refuses it."""
        if method != "sendMessage":
            return None
        chat_id = int(params["chat_id"])
        if chat_id in self.migrated:
            return {"ok": False, "error_code": 400,
                    "description": "Bad Request: group chat was upgraded to a supergroup chat",
                    "parameters": {"migrate_to_chat_id": self.migrated[chat_id]}}
        now = self.clock()
        wait = self._wait_until.get(chat_id, now) - now
        if wait <= 0 and self.group_limit is not None and chat_id < 0:
            count, window = self.group_limit
            recent = [t for t in self._group_sends.get(chat_id, []) if t > now - window]
            self._group_sends[chat_id] = recent
            if len(recent) < count:
                recent.append(now)
                return None
            wait = recent[0] + window - now
            self._wait_until[chat_id] = now + wait
        if wait <= 0:
            return None
        self.flood_refused += 1
        seconds = max(1, math.ceil(wait))
        return {"ok": False, "error_code": 429,
                "description": f"Too Many Requests: retry after {seconds}",
                "parameters": {"retry_after": seconds}}

    def _invalid(self, method: str, params: Json) -> Failure | None:
        """What Telegram itself refuses (400): a text past 4096 characters once its HTML is
        parsed, in a message or in any inline result (the whole answer is refused), a
        callback query's alert past 200 characters, a callback query answered a second
        time, and an inline keyboard of more than 100 buttons. Called with the lock held."""
        texts: list[tuple[Any, Any]] = []
        if method in ("sendMessage", "editMessageText"):
            texts.append((params.get("text", ""), params.get("parse_mode")))
        if method == "answerInlineQuery":
            for result in params.get("results") or []:
                content = result.get("input_message_content") or {}
                texts.append((content.get("message_text", ""), content.get("parse_mode")))
        if any(_shown_length(str(text), mode) > 4096 for text, mode in texts):
            description = ("Bad Request: MESSAGE_TOO_LONG" if method == "answerInlineQuery"
                           else "Bad Request: message is too long")
            return Failure(method, 400, description=description)
        keyboard = (params.get("reply_markup") or {}).get("inline_keyboard") or []
        if sum(len(row) for row in keyboard) > MAX_INLINE_BUTTONS:
            return Failure(method, 400, description="Bad Request: reply markup is too long")
        if method == "answerCallbackQuery":
            if _shown_length(str(params.get("text") or ""), None) > 200:
                return Failure(method, 400, description="Bad Request: MESSAGE_TOO_LONG")
            query_id = str(params.get("callback_query_id"))
            if query_id in self.answered_queries:
                return Failure(method, 400, description="Bad Request: query is too old and"
                               " response timeout expired or query ID is invalid")
            self.answered_queries.add(query_id)
        return None

    def _get_updates(self, params: Json) -> list[Json]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), self.max_poll)
        with self._cond:
            # Telegram forgets updates below the offset: they were confirmed.
            self.confirmed_below = max(self.confirmed_below, offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._stopped:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            batch = self._updates[:limit]
            self.delivered.update(u["update_id"] for u in batch)
            return batch

    def _result(self, method: str, params: Json, sent: int | None = None) -> Any:
        if method == "getMe":
            return self.bot_user
        if method in ("sendMessage", "editMessageText"):
            if method == "editMessageText" and "inline_message_id" in params:
                return True
            chat_id = int(params["chat_id"])
            message: Json = {
                "message_id": int(params.get("message_id") or sent or next(self._message_ids)),
                "date": int(time.time()), "from": self.bot_user, "text": params.get("text", ""),
                "chat": self._chats.get(chat_id, {"id": chat_id, "type": "private",
                                                  "first_name": "U"})}
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            return message
        if method == "sendPhoto":  # a file: `params["photo"]` holds its bytes
            chat_id = int(params["chat_id"])
            return {"message_id": sent, "date": int(time.time()), "from": self.bot_user,
                    "chat": self._chats.get(chat_id, {"id": chat_id, "type": "private",
                                                      "first_name": "U"}),
                    "caption": params.get("caption", ""),
                    "photo": [{"file_id": f"photo{sent}", "file_unique_id": f"uphoto{sent}",
                               "width": 1, "height": 1}]}
        if method == "getFile":
            file_id = str(params["file_id"])
            return {"file_id": file_id, "file_unique_id": f"u{file_id}",
                    "file_size": len(self.files[file_id]), "file_path": f"documents/{file_id}"}
        if method == "setMyCommands":
            self.commands[params.get("language_code", "")] = params.get("commands", [])
        if method == "getMyCommands":
            return self.commands.get(params.get("language_code", ""), [])
        if method == "setWebhook":
            self.webhook = dict(params)
        if method == "deleteWebhook":
            self.webhook = {}
        if method == "getWebhookInfo":
            return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": len(self._updates)}
        return True


def _handler_for(fake: FakeTelegram) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
        disable_nagle_algorithm = True  # headers and body go out separately: no 40 ms stalls

        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            self._serve()

        def do_GET(self) -> None:  # noqa: N802
            self._serve()

        def _serve(self) -> None:
            file_prefix = f"/file/bot{fake.token}/documents/"
            path = urllib.parse.unquote(self.path)  # PTB escapes the token's ":" in file URLs
            if path.startswith(file_prefix):
                self._send_file(fake.files.get(path[len(file_prefix):]))
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            prefix, _, method = self.path.partition("?")[0].rpartition("/")
            if prefix != f"/bot{fake.token}":
                status, payload = 401, {"ok": False, "error_code": 401,
                                        "description": "Unauthorized"}
            else:
                status, payload = fake.handle(method, _parse(self.headers, body))
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the bot hung up mid long-poll (shutdown): normal

        def _send_file(self, content: bytes | None) -> None:
            self.send_response(200 if content is not None else 404)
            self.send_header("Content-Length", str(len(content or b"")))
            self.end_headers()
            self.wfile.write(content or b"")

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler


def _parse(headers: Any, body: bytes) -> Json:
    kind = headers.get("Content-Type", "")
    if not body:
        return {}
    if kind.startswith("multipart/form-data"):  # a call with a file (sendPhoto, sendDocument)
        return _parse_multipart(kind, body)
    if kind.startswith("application/json"):
        # PTB JSON-encodes nested values (reply_markup...) as strings, as in its forms.
        pairs = [(k, v if isinstance(v, str) else json.dumps(v))
                 for k, v in json.loads(body).items()]
    else:
        pairs = parse_qsl(body.decode(), keep_blank_values=True)
    return {key: _field(key, value) for key, value in pairs}


def _field(key: str, value: str) -> Any:
    """A form field as PTB sent it: JSON, except the fields that are plain strings."""
    if key in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _parse_multipart(kind: str, body: bytes) -> Json:
    """A form with files: file parts as their bytes, the other fields as in `_parse`."""
    form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {kind}\r\n\r\n".encode() + body)
    params: Json = {}
    for part in form.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(content, bytes):
            continue
        params[name] = content if part.get_filename() is not None else _field(
            name, content.decode())
    return params


def _error(failure: Failure) -> Json:
    descriptions = {403: "Forbidden: bot was blocked by the user",
                    429: f"Too Many Requests: retry after {failure.retry_after or 1}",
                    500: "Internal Server Error", 400: "Bad Request: injected"}
    payload: Json = {"ok": False, "error_code": failure.status,
                     "description": failure.description or descriptions.get(failure.status,
                                                                             "injected")}
    if failure.status == 429:
        payload["parameters"] = {"retry_after": failure.retry_after or 1}
    return payload


def _user(user_id: int) -> Json:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}",
            "language_code": "bn"}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _shown_length(text: str, parse_mode: Any) -> int:
    """A message's length as Telegram limits it: of the text shown, tags and entities parsed."""
    if str(parse_mode).upper() == "HTML":
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    return _utf16_len(text)


_COMMAND = re.compile(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?")


def _entities(text: str) -> list[Json]:
    """bot_command and mention entities, with offsets in UTF-16 code units like Telegram."""
    entities: list[Json] = []
    position = 0
    for word in text.split(" "):
        kind, marked = None, word
        if position == 0 and (command := _COMMAND.match(word)):
            # As Telegram does: a command is Latin letters, digits and "_" (and @bot); what
            # follows in the same word ("/stats\x1b[2J") is text, not the command.
            kind, marked = "bot_command", command.group()
        elif word.startswith("@") and len(word) > 1:
            kind = "mention"
        if kind:
            entities.append({"type": kind, "offset": _utf16_len(text[:position]),
                             "length": _utf16_len(marked)})
        position += len(word) + 1
    return entities
