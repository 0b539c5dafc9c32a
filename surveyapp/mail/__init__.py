"""Mail: the outbox, sandboxed template rendering, the sending worker and message building (no views)."""
