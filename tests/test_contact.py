import pytest

from kiosk.contact import ContactError, normalise_email, normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0722 123 456", "+40722123456"),
        ("0722-123-456", "+40722123456"),
        ("+40 722 123 456", "+40722123456"),
        ("0040722123456", "+40722123456"),
        ("+36 30 123 4567", "+36301234567"),
    ],
)
def test_plausible_phone_numbers_are_normalised(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["07x2", "123", "+1234", "0722 123 45", "０７２２１２３４５６", "+40 7" * 10]
)
def test_implausible_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ContactError) as info:
        normalise_phone(raw)
    assert info.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" ana@Example.RO ", "ana@example.ro"),
        ("ion.pop+kiosk@mail.cluj.ro", "ion.pop+kiosk@mail.cluj.ro"),
        ("kovács@példa.hu", "kovács@példa.hu"),
    ],
)
def test_plausible_email_addresses_are_accepted(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "ana@",
        "@example.ro",
        "ana example.ro",
        "ana@example",
        "a@b@c.ro",
        "x" * 250 + "@example.ro",
        "ana@.ro",
        "a\x01\u202e@ex.com",
        "ana\u200b@example.ro",
        "ana@exam\u202eple.ro",
        "ana\x7f@example.ro",
        "ana@example.ro\x00",
    ],
)
def test_invalid_email_addresses_are_refused(raw: str) -> None:
    with pytest.raises(ContactError):
        normalise_email(raw)
