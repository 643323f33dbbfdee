"""Every user-facing msgid of domain/, ui/ and delivery/ has a pt-BR translation in the
merged catalogs (pt-BR is the default language: a missing entry shows English to users).

Messages are found with Babel's extractor: `_()`, `N_()` and `translate()` plain, and
`translate_in(context, "...")` with its context (resolved when it is a module constant)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from domain.model import REQUEST_STATE_CONTEXT, REQUEST_STATE_LABELS, TICKET_STATUS_CONTEXT, TICKET_STATUS_LABELS
from ui.i18n import translate_in, translations

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("domain", "ui", "delivery", "api")
KEYWORDS: dict[str, object] = {"_": None, "N_": None, "translate": None}
CONTEXT_CALLS = {"translate_in"}


def catalog_keys() -> set[str]:
    # GNUTranslations keeps "msgid" and "context\x04msgid" keys; the merged catalog only
    # holds entries with a non-empty translation (see ui.i18n.translations).
    return set(translations("pt_BR")._catalog)  # type: ignore[attr-defined]


def plain_messages() -> Iterator[tuple[str, str]]:
    """(msgid, "file:line") for every literal in `_()`, `N_()`, `translate()`."""
    for folder in FOLDERS:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, method_map=[("**.py", "python")], comment_tags=()
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                yield msgid, f"{folder}/{filename}:{lineno}"


def _module_constants(tree: ast.Module) -> dict[str, str]:
    constants: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value.value
    return constants


def context_messages() -> Iterator[tuple[str, str, str]]:
    """(context, msgid, "file:line") for `translate_in(CONTEXT, "literal")` calls."""
    sources = {path: ast.parse(path.read_text(encoding="utf-8")) for f in FOLDERS for path in (ROOT / f).rglob("*.py")}
    everywhere: dict[str, str] = {}
    for tree in sources.values():
        everywhere.update(_module_constants(tree))
    for path, tree in sources.items():
        local = {**everywhere, **_module_constants(tree)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            context, message = node.args[0], node.args[1]
            if name not in CONTEXT_CALLS or not isinstance(message, ast.Constant):
                continue
            if isinstance(context, ast.Constant):
                resolved = context.value
            elif isinstance(context, ast.Name):
                resolved = local.get(context.id)
            else:
                resolved = None
            assert isinstance(resolved, str), f"{path.relative_to(ROOT)}:{node.lineno}: context not a constant"
            yield resolved, message.value, f"{path.relative_to(ROOT)}:{node.lineno}"


def test_translations_complete() -> None:
    known = catalog_keys()
    missing = sorted({f"{where}: {msgid!r}" for msgid, where in plain_messages() if msgid not in known})
    missing += sorted(
        {
            f"{where}: {msgid!r} (context {context!r})"
            for context, msgid, where in context_messages()
            if f"{context}\x04{msgid}" not in known
        }
    )
    assert missing == [], f"{len(missing)} msgid(s) without a pt-BR translation:\n" + "\n".join(missing)


def test_extraction_finds_messages_of_every_layer() -> None:
    """Guards the test above against extracting nothing and passing vacuously."""
    found = {where.split("/")[0] for _msgid, where in plain_messages()}
    assert {"domain", "ui"} <= found
    assert "This ticket already has an action awaiting approval." in {m for m, _w in plain_messages()}


@pytest.mark.parametrize(("context", "labels"), [
    (TICKET_STATUS_CONTEXT, TICKET_STATUS_LABELS),
    (REQUEST_STATE_CONTEXT, REQUEST_STATE_LABELS),
])
def test_status_and_state_names_have_their_gendered_translation(context: str, labels: dict[object, str]) -> None:
    known = catalog_keys()
    assert [m for m in labels.values() if f"{context}\x04{m}" not in known] == []


def test_state_names_are_the_spec_words() -> None:
    names = [translate_in(REQUEST_STATE_CONTEXT, label, "pt_BR") for label in REQUEST_STATE_LABELS.values()]
    assert names == ["Aguardando Aprovação", "Aprovada", "Reprovada", "Cancelada", "Expirada"]


def test_ticket_status_names_are_masculine() -> None:
    names = [translate_in(TICKET_STATUS_CONTEXT, label, "pt_BR") for label in TICKET_STATUS_LABELS.values()]
    assert names == ["Aberto", "Em andamento", "Fechado", "Cancelado"]


def test_each_text_is_translated_in_one_catalog_only() -> None:
    """Two catalogs translating the same text drift apart; the later file silently wins."""
    import collections

    from babel.messages.pofile import read_po

    from ui.i18n import LOCALES_DIR

    places: dict[tuple[str | None, str], list[str]] = collections.defaultdict(list)
    for po_file in sorted((LOCALES_DIR / "pt_BR" / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as handle:
            for message in read_po(handle, locale="pt_BR"):
                if message.id:
                    places[(message.context, str(message.id))].append(po_file.name)
    repeated = {key: files for key, files in places.items() if len(files) > 1}
    assert not repeated, f"translated in more than one catalog: {repeated}"
