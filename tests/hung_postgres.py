"""A PostgreSQL that stops answering while its connections stay open, for the tests.

`HangingProxy` passes a connection's bytes on to the real server until `hung` is set; then
it swallows them (as a hung server or pooler does, or a network that loses its packets)
and every connection stays open, new ones too. Cleared, it passes bytes on again: a
connection that lost a message to the hang is out of step and must be made anew, as
after a real hang.
"""

from __future__ import annotations

import select
import socket
import threading
import urllib.parse

from bot.storage.connection import DatabaseTarget


class HangingProxy:
    """A TCP proxy to PostgreSQL that can stop passing anything on while keeping every
    connection open: a server (or pooler) that hangs, or packets lost on the way."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream, self.hung = (host, port), False
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._open: list[socket.socket] = [self._server]
        threading.Thread(target=self._accept, daemon=True).start()

    @classmethod
    def to(cls, target: DatabaseTarget) -> HangingProxy:
        """A proxy to the server of `target` (a postgresql:// URL)."""
        url = urllib.parse.urlsplit(target.location)
        return cls(url.hostname or "127.0.0.1", url.port or 5432)

    def through(self, target: DatabaseTarget, password: str | None = None) -> DatabaseTarget:
        """`target` reached through this proxy, with `password` in its URL if given (the
        test server trusts every local connection, so any password is accepted)."""
        url = urllib.parse.urlsplit(target.location)
        user = url.username or ""
        if password is not None:
            user = f"{user}:{password}"
        return DatabaseTarget.parse(url._replace(netloc=f"{user}@127.0.0.1:{self.port}")
                                    .geturl())

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
                upstream = socket.create_connection(self.upstream)
            except OSError:
                return
            self._open += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                for ready in select.select([a, b], [], [], 0.2)[0]:
                    data = ready.recv(65536)
                    if not data:
                        return
                    if not self.hung:  # else swallowed: the other side never hears back
                        (b if ready is a else a).sendall(data)
        except (OSError, ValueError):  # ValueError: `close()` closed a socket mid-select
            return
        finally:  # one side hung up: so does the other (the server ends that session)
            a.close()
            b.close()

    def close(self) -> None:
        for sock in self._open:
            sock.close()
