"""How passwords are stored: argon2 through passlib (the libpass fork)."""

from __future__ import annotations

from passlib.context import CryptContext

from domain.admin import PasswordHasher


class Argon2Hasher(PasswordHasher):
    def __init__(self) -> None:
        self._context = CryptContext(schemes=["argon2"], deprecated="auto")
        # Verified when the e-mail is unknown, so that answer costs what a wrong password does.
        self.dummy_hash = self.hash("not-a-real-password")

    def hash(self, password: str) -> str:
        return self._context.hash(password)

    def verify(self, password: str, password_hash: str) -> bool:
        try:
            return bool(self._context.verify(password, password_hash))
        except (ValueError, TypeError):
            return False
