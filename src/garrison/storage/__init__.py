"""Persistence: the event store, checkpoints, integrity chain, retention."""
