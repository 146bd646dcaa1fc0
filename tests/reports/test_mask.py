"""Masking personal data: examples of each form, and properties over generated text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.reports.mask import mask_text, mask_value
from garrison.reports.model import AffectedAsset, Attachment, TimelineEntry
from tests.reports.samples import EMAIL, ID_NUMBER, PHONE, T0, sample


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证 110105199003071234。", "身份证 110105********1234。"),
        ("ID:11010519900307123X", "ID:110105********123X"),
        ("id 11010519900307123x end", "id 110105********123x end"),
        ("旧证 110105900307123", "旧证 110105*****7123"),
        ("电话13812345678", "电话138****5678"),
        ("tel +8613812345678", "tel +86138****5678"),
        ("tel +86 138 1234 5678", "tel +86 138 **** 5678"),
        ("tel 86-138-1234-5678", "tel 86-138-****-5678"),
        ("tel 0086 13912345678", "tel 0086 139****5678"),
        ("(+86)19912345678", "(+86)199****5678"),
        ("mail zhangsan@example.com.", "mail z***n@example.com."),
        ("ab@corp.cn", "a*@corp.cn"),
        ("x@corp.cn", "*@corp.cn"),
        ("13812345678@139.com", "1***8@139.com"),
        (
            "联系人：王五 13612345678，wang.wu+ops@mail.example.org",
            "联系人：王五 136****5678，w***s@mail.example.org",
        ),
    ],
)
def test_masks_personal_data(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order 12345678901234567890",  # 20 digits: an order number, not an ID or a phone
        "order 138123456789",  # 12 digits
        "1381234567",  # 10 digits
        "trace 113812345678901",  # a phone inside a longer run
        "epoch ms 1732356000000, epoch 1732356000",
        "2026-11-23T10:00:00.123456Z 2026-11-23 10:00:00 20261123100000",
        "src 203.0.113.45 dst 2001:db8::1 10.13.81.234",
        "123456789012345678",  # 18 digits but no birth date in it
        "010105199003071234",  # region code cannot start with 0
        "110105199013071234",  # month 13
        "12345678901",  # 11 digits but not a mobile number (12x)
        "no personal data here, 没有个人信息。",
        "user@localhost",  # no dot in the domain: not an address
        "",
    ],
)
def test_leaves_lookalikes_alone(text: str) -> None:
    assert mask_text(text) == text


# -- generated text ------------------------------------------------------------------------

#: Filler text: anything but decimal digits and '@', so it never makes personal data itself
#: and never glues onto a number.
filler = st.text(
    alphabet=st.characters(exclude_categories=("Nd", "Cs"), exclude_characters="@"),
    max_size=12,
)
separators = st.text(alphabet=st.sampled_from(" ，,;:()[]<>\n\t/|。、"), min_size=1, max_size=3)


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.integers(100000, 999999))
    born = draw(st.dates(date(1900, 1, 1), date(2029, 12, 31)))
    serial = draw(st.integers(0, 999))
    if draw(st.booleans()):
        check = draw(st.sampled_from("0123456789Xx"))
        return f"{region}{born:%Y%m%d}{serial:03d}{check}"
    return f"{region}{born:%y%m%d}{serial:03d}"


@st.composite
def phones(draw: st.DrawFn) -> tuple[str, str]:
    """A mobile number as written (with prefix and separators) and its bare 11 digits."""
    digits = f"1{draw(st.integers(3, 9))}{draw(st.integers(0, 999_999_999)):09d}"
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "86-", "0086", "0086 ", "86"]))
    sep = draw(st.sampled_from(["", " ", "-"]))
    return f"{prefix}{digits[:3]}{sep}{digits[3:7]}{sep}{digits[7:]}", digits


emails = st.from_regex(r"[a-z0-9][a-z0-9._+\-]{2,15}@[a-z0-9]{1,10}\.(com|cn|org)", fullmatch=True)


@st.composite
def texts_with_personal_data(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Text mixing filler and personal data, and the strings that must not survive."""
    parts: list[str] = [draw(filler)]
    secrets: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["id", "phone", "email"]))
        if kind == "id":
            number = draw(id_numbers())
            parts.append(number)
            secrets.append(number)
        elif kind == "phone":
            written, digits = draw(phones())
            parts.append(written)
            secrets += [written, digits]
        else:
            address = draw(emails)
            parts.append(address)
            secrets.append(address)
        parts += [draw(separators), draw(filler), draw(separators)]
    return "".join(parts), secrets


@settings(max_examples=300)
@given(texts_with_personal_data())
def test_masked_text_never_contains_the_original(case: tuple[str, list[str]]) -> None:
    text, secrets = case
    masked = mask_text(text)
    for secret in secrets:
        assert secret not in masked


@settings(max_examples=300)
@given(st.one_of(st.text(), texts_with_personal_data().map(lambda case: case[0])))
def test_masking_is_idempotent(text: str) -> None:
    once = mask_text(text)
    assert mask_text(once) == once


@st.composite
def texts_without_personal_data(draw: st.DrawFn) -> str:
    """Text whose numbers are short, very long, IP addresses or times."""
    pieces = st.one_of(
        filler,
        st.integers(0, 99).map(str),
        st.integers(10**18, 10**30).map(str),  # 19+ digit runs: order numbers, trace ids
        st.ip_addresses().map(str),
        st.datetimes().map(lambda when: when.isoformat()),
        st.integers(0, 2**41).map(lambda ms: str((T0 + timedelta(milliseconds=ms)).timestamp())),
    )
    return "".join(
        draw(
            st.lists(st.tuples(pieces, separators), max_size=8).map(
                lambda items: [piece + sep for piece, sep in items]
            )
        )
    )


@settings(max_examples=300)
@given(texts_without_personal_data())
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    assert mask_text(text) == text


# -- report values ---------------------------------------------------------------------------


def test_mask_value_masks_every_text_field_and_keeps_codes() -> None:
    data = sample(
        reporter=f"张三 {PHONE}",
        handlers=(EMAIL,),
        assets=(AffectedAsset(f"pc-{ID_NUMBER}", "general", PHONE),),
        timeline=(TimelineEntry(T0, "note", f"call {PHONE}", actor=EMAIL),),
        attachments=(Attachment(f"id_{ID_NUMBER}.jpg", "1" * 64, 10),),
        improvements=(f"notify {PHONE}",),
        incident_id="INC-13812345678",
    )
    masked = mask_value(data)
    assert masked.reporter == "张三 138****5678"
    assert masked.handlers == ("z***n@example.com",)
    assert masked.assets[0].name == "pc-110105********123X"
    assert masked.assets[0].owner == "138****5678"
    assert masked.timeline[0].text == "call 138****5678"
    assert masked.timeline[0].actor == "z***n@example.com"
    assert masked.attachments[0].name == "id_110105********123X.jpg"
    # Identifiers and hashes are not prose: masking them would only corrupt them.
    assert masked.attachments[0].sha256 == "1" * 64
    assert masked.incident_id == "INC-13812345678"
    assert masked.improvements == ("notify 138****5678",)
    assert PHONE not in masked.summary and ID_NUMBER not in masked.summary
    assert masked.grade == data.grade and masked.detected_at == data.detected_at


def test_mask_value_passes_other_values_through() -> None:
    @dataclass(frozen=True)
    class Box:
        text: str
        count: int

    assert mask_value(Box(PHONE, 3)) == Box("138****5678", 3)
    assert mask_value(42) == 42
