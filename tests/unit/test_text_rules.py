"""Input rules without a database: the catalog's name key (`fold`) and `clean_text`."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.model import CatalogAction, fold
from domain.validation import clean_email, clean_password, clean_text


@pytest.mark.parametrize("variant", ["Reembolso", "reembolso", "REEMBOLSO", "Reembólso", "  reembolso  "])
def test_fold_ignores_case_accents_and_outer_spaces(variant: str) -> None:
    assert fold(variant) == fold("Reembolso")


def test_fold_keeps_different_names_apart() -> None:
    assert fold("Reembolso") != fold("Reembolso parcial")


def test_catalog_action_gets_its_name_key() -> None:
    assert CatalogAction("Reiniciar Produção").name_key == fold("reiniciar producao")


def test_clean_text_trims_and_normalizes() -> None:
    # "a" + combining acute becomes the single "á": two spellings of a name compare equal.
    assert clean_text("  Aça\u0301o  ", label="Nome", max_len=50) == "Açáo"


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_clean_text_refuses_blank_when_required(blank: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_text(blank, label="Name", max_len=50, required=True)
    assert refused.value.params == {"field": "Name"}


def test_clean_text_refuses_too_long() -> None:
    with pytest.raises(InvalidInput):
        clean_text("x" * 51, label="Name", max_len=50)


def test_clean_text_refuses_control_characters_on_one_line() -> None:
    with pytest.raises(InvalidInput):
        clean_text("a\nb", label="Name", max_len=50)
    with pytest.raises(InvalidInput):
        clean_text("a\x00b", label="Note", max_len=50, multiline=True)


def test_clean_text_keeps_line_breaks_when_multiline() -> None:
    assert clean_text("a\r\nb", label="Note", max_len=50, multiline=True) == "a\nb"


def test_clean_email_lowercases_and_checks_shape() -> None:
    assert clean_email(" Ana@Demo.Test ") == "ana@demo.test"
    with pytest.raises(InvalidInput):
        clean_email("ana@")


def test_clean_password_needs_eight_characters() -> None:
    assert clean_password("12345678") == "12345678"
    with pytest.raises(InvalidInput):
        clean_password("1234567")


def test_push_endpoints_must_be_public_https() -> None:
    """The server POSTs to a subscription's endpoint: it must not be aimed inside."""
    from domain.push import endpoint_allowed

    assert endpoint_allowed("https://fcm.googleapis.com/fcm/send/abc")
    assert endpoint_allowed("https://updates.push.services.mozilla.com/wpush/v2/x")
    for inside in (
        "http://fcm.googleapis.com/x",
        "https://127.0.0.1/x",
        "https://10.0.0.5/x",
        "https://192.168.1.1/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest",
        "https://localhost/x",
        "https://db.internal/x",
        "ftp://example.com/x",
        "https:///nohost",
    ):
        assert not endpoint_allowed(inside), inside
    assert endpoint_allowed("http://127.0.0.1:9999/push", allow_insecure=True)
