"""Ingest: read sources (files, stdin, follow, listeners) and feed parsers and the store."""
