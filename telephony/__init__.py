"""The Twilio edge: webhook security and idempotency, TwiML responses, the REST port."""
