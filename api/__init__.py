"""The JSON API: bearer-token auth, errors with reasons, and the OpenAPI document."""
