"""Known-answer tests pin both AEADs to their published vectors."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from garrison.core.errors import ConfigError
from garrison.evidence.algorithms import Algorithm, decrypt, encrypt, require_available

# RFC 8998, appendix A.1 (SM4-GCM).
SM4_KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
SM4_IV = bytes.fromhex("00001234567800000000ABCD")
SM4_AAD = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
SM4_PT = bytes.fromhex(
    "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
    "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
)
SM4_CT_TAG = bytes.fromhex(
    "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
    "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    "83DE3541E4C2B58177E065A9BF7B62EC"
)

# McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256).
AES_KEY = bytes.fromhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
AES_IV = bytes.fromhex("cafebabefacedbaddecaf888")
AES_AAD = bytes.fromhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
AES_PT = bytes.fromhex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
)
AES_CT_TAG = bytes.fromhex(
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
    "76fc6ece0f4e1768cddf8853bb2d551b"
)

VECTORS = [
    (Algorithm.SM4_GCM, SM4_KEY, SM4_IV, SM4_AAD, SM4_PT, SM4_CT_TAG),
    (Algorithm.AES_256_GCM, AES_KEY, AES_IV, AES_AAD, AES_PT, AES_CT_TAG),
]


@pytest.mark.parametrize(("algo", "key", "iv", "aad", "pt", "ct"), VECTORS)
def test_known_answer(
    algo: Algorithm, key: bytes, iv: bytes, aad: bytes, pt: bytes, ct: bytes
) -> None:
    assert encrypt(algo, key, iv, pt, aad) == ct
    assert decrypt(algo, key, iv, ct, aad) == pt


@pytest.mark.parametrize(("algo", "key", "iv", "aad", "pt", "ct"), VECTORS)
def test_wrong_aad_or_altered_tag_is_refused(
    algo: Algorithm, key: bytes, iv: bytes, aad: bytes, pt: bytes, ct: bytes
) -> None:
    with pytest.raises(InvalidTag):
        decrypt(algo, key, iv, ct, aad + b"x")
    with pytest.raises(InvalidTag):
        decrypt(algo, key, iv, ct[:-1] + bytes([ct[-1] ^ 1]), aad)
    with pytest.raises(InvalidTag):
        decrypt(algo, key, iv, ct[:10], aad)


def test_key_sizes_and_wire_ids() -> None:
    assert Algorithm.AES_256_GCM.key_size == 32
    assert Algorithm.SM4_GCM.key_size == 16
    assert {a.wire_id for a in Algorithm} == {1, 2}
    for algo in Algorithm:
        assert Algorithm.from_wire_id(algo.wire_id) is algo
    assert Algorithm.from_wire_id(0) is None


def test_parse_names() -> None:
    assert Algorithm.parse(" SM4-GCM ") is Algorithm.SM4_GCM
    with pytest.raises(ConfigError) as err:
        Algorithm.parse("des")
    assert err.value.hint is not None and "aes-256-gcm" in err.value.hint


def test_both_available_in_this_build() -> None:
    for algo in Algorithm:
        require_available(algo)
