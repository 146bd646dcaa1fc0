"""Encrypted evidence files: keys, sealed blobs, chunked streams and the file store.

Typical use::

    keyring = Keyring.open(settings.home, clock=clock, algorithm="aes-256-gcm")
    store = EvidenceStore(settings.home / "evidence", keyring)
    stored = store.put(evidence_id, uploaded_file)
    data = store.get(evidence_id, stored)
"""

from garrison.evidence.algorithms import Algorithm
from garrison.evidence.crypto import open_sealed, seal
from garrison.evidence.keys import Key, Keyring
from garrison.evidence.store import EvidenceStore, StoredFile

__all__ = ["Algorithm", "EvidenceStore", "Key", "Keyring", "StoredFile", "open_sealed", "seal"]
