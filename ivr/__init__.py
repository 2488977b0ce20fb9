"""The IVR: greet, authenticate, read the case status, route to a person or a callback."""
