"""An admin's /review in progress: its cards, the one shown, and what its buttons name.

In memory, like uploads waiting for "apply": a review takes minutes, and a restart or
another replica only means sending /review again (decisions already made are in the
database). Buttons carry a session token, the card's position and a small index into
what the session listed, never a fact id: 64 bytes hold them whatever the ids are, and a
forged or stale button names nothing the session did not offer.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from bot.core.review import Card, Cluster
from bot.teach import Proposal

MAX_SESSIONS = 20  # bounded against a flood of /review; each admin keeps one
PREFIX = "rv"
# rv:<token>:<card position>:<verb><index>. Verbs: a (add to closest fact n), c (choose:
# list topics), t (list topic n's facts), f (add to listed fact n), b (back to the card),
# d (decline: another subject), i (ignore), s (skip), y (apply anyway), n (cancel).
_DATA = re.compile(r"^rv:(?P<token>[A-Za-z0-9_-]{8}):(?P<position>\d{1,5}):"
                   r"(?:(?P<indexed>[atf])(?P<index>\d{1,3})|(?P<verb>[cbdisyn]))$")


@dataclass(frozen=True)
class Tap:
    """A /review button, parsed."""

    token: str
    position: int
    verb: str
    index: int | None = None


def parse(data: str) -> Tap | None:
    """The tap `data` encodes, or None if it is not a /review button at all."""
    found = _DATA.match(data)
    if found is None:
        return None
    if found["indexed"]:
        return Tap(found["token"], int(found["position"]), found["indexed"], int(found["index"]))
    return Tap(found["token"], int(found["position"]), found["verb"])


@dataclass
class ReviewSession:
    token: str
    admin_id: int
    clusters: list[Cluster]
    position: int = 0
    card: Card | None = None  # the card shown, with the closest facts when it was shown
    topics: tuple[str, ...] = ()  # what "choose…" listed
    facts: tuple[str, ...] = ()  # the facts of the topic picked there
    proposal: Proposal | None = None  # waiting for "apply anyway" or "cancel"

    @property
    def cluster(self) -> Cluster | None:
        return self.clusters[self.position] if self.position < len(self.clusters) else None

    def data(self, verb: str, index: int | None = None) -> str:
        """Callback data for a button of the card shown."""
        suffix = "" if index is None else str(index)
        return f"{PREFIX}:{self.token}:{self.position}:{verb}{suffix}"

    def advance(self) -> None:
        self.position += 1
        self.card = None
        self.topics = self.facts = ()
        self.proposal = None


@dataclass
class ReviewSessions:
    items: dict[str, ReviewSession] = field(default_factory=dict)
    size: int = MAX_SESSIONS

    def start(self, admin_id: int, clusters: list[Cluster]) -> ReviewSession:
        """A new review for `admin_id`; their earlier one's buttons stop working."""
        for token in [t for t, s in self.items.items() if s.admin_id == admin_id]:
            del self.items[token]
        while len(self.items) >= self.size:
            self.items.pop(next(iter(self.items)))
        token = secrets.token_urlsafe(6)  # 8 characters of [A-Za-z0-9_-]
        session = self.items[token] = ReviewSession(token, admin_id, clusters)
        return session

    def get(self, token: str) -> ReviewSession | None:
        return self.items.get(token)
