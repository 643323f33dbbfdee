import base64
import stat
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from delivery.vapid import load_or_create_vapid_keys


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def test_created_once_then_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data" / "nested"  # missing directories are created

    first = load_or_create_vapid_keys(data_dir)
    pem = first.private_pem_path.read_bytes()
    second = load_or_create_vapid_keys(data_dir)

    assert second == first
    assert second.private_pem_path.read_bytes() == pem
    assert first.private_pem_path.parent == data_dir
    assert stat.S_IMODE(first.private_pem_path.stat().st_mode) == 0o600
    assert [p.name for p in data_dir.iterdir()] == [first.private_pem_path.name]  # no temp leftovers


def test_public_key_is_what_push_manager_subscribe_wants(tmp_path: Path) -> None:
    keys = load_or_create_vapid_keys(tmp_path)

    assert "=" not in keys.public_key_b64url
    raw = b64url_decode(keys.public_key_b64url)
    assert len(raw) == 65 and raw[0] == 0x04  # uncompressed P-256 point
    private = serialization.load_pem_private_key(keys.private_pem_path.read_bytes(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    assert (
        private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        == raw
    )


def test_concurrent_first_start_agrees_on_one_key(tmp_path: Path) -> None:
    results: list[str] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        results.append(load_or_create_vapid_keys(tmp_path).public_key_b64url)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(results) == 8 and len(set(results)) == 1
    assert len(list(tmp_path.iterdir())) == 1
