"""Personal access tokens (spec §14): shown once, stored hashed, revocable, and acting with
the owner's rights as they are at each call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from unit_desk import Desk

from domain import clock, tokens
from domain.errors import Forbidden, InvalidInput, NotAuthenticated


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(desk: Desk) -> None:
    new = desk.run(tokens.create_token, desk.bruno, "CI pipeline")
    assert new.secret.startswith("aval_pat_") and len(new.secret) > 40
    assert new.row.prefix == new.secret[: len(new.row.prefix)]
    stored = desk._read(lambda uow: uow.access_tokens.get(new.row.id))
    assert stored.token_hash == tokens.hash_secret(new.secret) and new.secret not in stored.token_hash
    listed = desk.run(tokens.my_tokens, desk.bruno)
    assert [(t.name, t.prefix) for t in listed] == [("CI pipeline", new.row.prefix)]
    assert not hasattr(listed[0], "secret")
    assert desk.run(tokens.authenticate, new.secret) == desk.bruno


def test_the_token_records_when_it_was_last_used(desk: Desk) -> None:
    new = desk.run(tokens.create_token, desk.fabio, "bot")
    assert desk.run(tokens.my_tokens, desk.fabio)[0].last_used_at is None
    desk.run(tokens.authenticate, new.secret)
    assert desk.run(tokens.my_tokens, desk.fabio)[0].last_used_at is not None


def test_a_blank_name_or_a_past_expiry_is_refused_and_nothing_is_made(desk: Desk) -> None:
    with pytest.raises(InvalidInput):
        desk.run(tokens.create_token, desk.bruno, "   ")
    with pytest.raises(InvalidInput):
        desk.run(tokens.create_token, desk.bruno, "old", clock.now() - timedelta(minutes=1))
    assert desk.run(tokens.my_tokens, desk.bruno) == []


@pytest.mark.parametrize("secret", ["", "aval_pat_", "aval_pat_unknown", "ghp_something", "x" * 500])
def test_unknown_tokens_are_refused(desk: Desk, secret: str) -> None:
    with pytest.raises(NotAuthenticated):
        desk.run(tokens.authenticate, secret)


def test_an_expired_token_is_refused(desk: Desk) -> None:
    new = desk.run(tokens.create_token, desk.bruno, "short", clock.now() + timedelta(seconds=1))
    real_now = clock.now
    try:
        clock.now = lambda: real_now() + timedelta(seconds=5)  # type: ignore[assignment]
        with pytest.raises(NotAuthenticated):
            desk.run(tokens.authenticate, new.secret)
    finally:
        clock.now = real_now  # type: ignore[assignment]


def test_a_revoked_token_is_refused(desk: Desk) -> None:
    new = desk.run(tokens.create_token, desk.bruno, "gone")
    desk.run(tokens.revoke_token, desk.bruno, new.row.id)
    with pytest.raises(NotAuthenticated):
        desk.run(tokens.authenticate, new.secret)
    assert desk.run(tokens.my_tokens, desk.bruno)[0].revoked_at is not None


def test_a_token_dies_with_its_owner_deactivation_and_lives_again_with_the_owner(desk: Desk) -> None:
    new = desk.run(tokens.create_token, desk.fabio, "bot")
    desk.set_customer(desk.fabio, active=False)
    with pytest.raises(NotAuthenticated):
        desk.run(tokens.authenticate, new.secret)
    desk.set_customer(desk.fabio, active=True)
    assert desk.run(tokens.authenticate, new.secret) == desk.fabio


def test_only_the_owner_or_the_account_manager_revokes_and_admins_see_every_token(desk: Desk) -> None:
    new = desk.run(tokens.create_token, desk.bruno, "mine")
    desk.run(tokens.create_token, desk.marcia, "hers")
    with pytest.raises(Forbidden):
        desk.run(tokens.revoke_token, desk.carla, new.row.id)
    with pytest.raises(Forbidden):
        desk.run(tokens.all_tokens, desk.carla)
    assert desk.run(tokens.authenticate, new.secret) == desk.bruno
    rows = desk.run(tokens.all_tokens, desk.ana)
    assert sorted((r.owner_email, r.name) for r in rows) == [
        ("bruno.agente@demo.test", "mine"),
        ("marcia.gerente@demo.test", "hers"),
    ]
    desk.run(tokens.revoke_token, desk.ana, new.row.id)
    with pytest.raises(NotAuthenticated):
        desk.run(tokens.authenticate, new.secret)
