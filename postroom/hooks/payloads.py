"""The webhook bodies (docs/webhooks.md) and the outgoing event names.

The dataclasses are defined in `postroom.wire.webhooks`, at the bottom layer, so that
`postroom.client` can decode them without importing the server; they are re-exported here
for the hooks that build them.
"""

from __future__ import annotations

from postroom.queue.events import QueueEvent
from postroom.wire.webhooks import Incoming, IncomingMeta, NameAddress, Outgoing, Structure

OutgoingEvent = QueueEvent
"""The outgoing event names; the queue's outbox uses the same vocabulary."""

__all__ = ["Incoming", "IncomingMeta", "NameAddress", "Outgoing", "OutgoingEvent", "Structure"]
