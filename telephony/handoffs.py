"""Where one feature hands a live call to another: the webhooks that take it over.

The IVR sends a caller who wants a person to the queue, and one who wants a callback to the
callback offer; the queue sends a caller who cannot wait (closed desk, long wait, key 1, a
Twilio queue error) to the same offer. Both ends use these names.
"""

from __future__ import annotations

QUEUE_JOIN_URL = "/voice/queue/join"
CALLBACK_OFFER_URL = "/voice/callback/offer"
