"""Channels: how a delivery reaches its recipient. E-mail (notifications.email) is the first;
a second (web push, say) is a new module with a `Channel` of its own, registered in
`notifications.sending.CHANNELS`, while the fan-out, the senders' leases, retries and the
sweep stay as they are.

A channel opens one connection for a batch of deliveries and sends each over it. It reports
the outcome of one delivery by returning (accepted), raising `Refused` (this recipient's
message was refused, for now or for good) or `ConnectionFailure` (the server, not this
recipient: every delivery of the batch waits for a retry).
"""

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Addressee:
    """What a sender read of the recipient it has locked: where to send, and the token of
    the links to change or end what it receives."""

    pk: int
    email: str
    token: str
    failure_count: int = 0


class ConnectionFailure(Exception):
    """The server cannot be reached or broke off: every delivery of the batch waits."""


class Refused(Exception):
    """The server refused this one message: for now (`is_temporary`) or for good."""

    def __init__(self, reason: str, *, is_temporary: bool):
        super().__init__(reason)
        self.reason = reason
        self.is_temporary = is_temporary


class Batch(Protocol):
    def send(self, *, delivery, addressee: Addressee, audience) -> None: ...


class Channel(Protocol):
    name: str

    def open(self) -> AbstractContextManager[Batch]:
        """One connection for a batch of deliveries; ConnectionFailure if it cannot be had."""
        ...
