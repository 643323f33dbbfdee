"""The application server's VAPID key pair, generated once per data directory.

Browsers bind every push subscription to the public key they were given, so a key that
changed on restart would silently orphan all existing subscriptions.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

PRIVATE_KEY_FILE = "vapid_private.pem"


@dataclass(frozen=True)
class VapidKeys:
    private_pem_path: Path
    # The form PushManager.subscribe({applicationServerKey}) accepts: the uncompressed
    # P-256 point, base64url without padding.
    public_key_b64url: str


def load_or_create_vapid_keys(data_dir: Path) -> VapidKeys:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / PRIVATE_KEY_FILE
    if not path.exists():
        _create_private_key(path)
    key = load_private_key(path)
    return VapidKeys(private_pem_path=path, public_key_b64url=public_key_b64url(key.public_key()))


def load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"{path} does not hold a P-256 EC private key, as VAPID requires")
    return key


def public_key_b64url(key: ec.EllipticCurvePublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _create_private_key(path: Path) -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Written under a temporary name (0600 from the start, never world-readable) and
    # published with link(), which fails if the file exists: two processes starting
    # together end up sharing one key and nobody ever reads a half-written file.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an unusual umask must not leave the owner unable to read it
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
