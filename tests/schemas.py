"""Validate Adaptive Cards and the Teams manifest against the official schemas, offline.

The schemas are the repository's own copies in `schemas/`; its README says where they come
from and why each validator class is used.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator, Draft7Validator, ValidationError

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
CARD_SCHEMA = SCHEMA_DIR / "adaptive-card-1.5.json"
MANIFEST_SCHEMA = SCHEMA_DIR / "teams-manifest-1.19.schema.json"


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _card_validator() -> Draft6Validator:
    schema = _load(CARD_SCHEMA)  # a fresh copy, so patching it below is safe
    # Teams reads a top-level `msteams` object (width, mentions) that the card schema forbids.
    schema["definitions"]["AdaptiveCard"]["properties"]["msteams"] = {"type": "object"}
    # `fallback` is anyOf [element or action, FallbackOption], and FallbackOption is only
    # `enum`/`pattern`, which any object passes; so a misspelled fallback action was accepted.
    # Fallback options are strings ("drop"), so say so and make fallback objects validate.
    schema["definitions"]["FallbackOption"]["type"] = "string"
    return Draft6Validator(schema, format_checker=Draft6Validator.FORMAT_CHECKER)


@cache
def _manifest_validator() -> Draft7Validator:
    # The schema declares draft 4 but uses `const`; Draft 7 enforces both.
    return Draft7Validator(_load(MANIFEST_SCHEMA), format_checker=Draft7Validator.FORMAT_CHECKER)


def _branches(error: ValidationError) -> list[list[ValidationError]]:
    """The sub-errors of an `anyOf` error, grouped by the branch that produced them."""
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub_error in error.context:
        branches[sub_error.relative_schema_path[0]].append(sub_error)
    return list(branches.values())


def _is_wrong_type(error: ValidationError) -> bool:
    """True if the error only says the instance is a different kind of thing.

    Every `anyOf` over element or action types yields one such error per non-matching type
    (e.g. "'Action.Execute' is not one of ['Action.OpenUrl']"); they hide the real problem.
    """
    if error.relative_path:
        # About a child of the instance, so the instance itself is of the intended kind.
        return error.validator == "enum" and list(error.relative_path) == ["type"]
    if error.validator == "anyOf" and error.context:
        return all(any(map(_is_wrong_type, errs)) for errs in _branches(error))
    return error.validator == "type"


def _messages(error: ValidationError) -> list[str]:
    """Leaf messages under `error`, from the `anyOf` branches the instance was meant for."""
    if not error.context:
        return [f"{error.json_path}: {error.message}"]
    branches = _branches(error)
    intended = [errs for errs in branches if not any(map(_is_wrong_type, errs))]
    if intended:
        return [message for errs in intended for e in errs for message in _messages(e)]
    # No branch fits: summarise instead of echoing a complaint from every branch.
    known_types = [
        value
        for errs in branches
        for e in errs
        if e.validator == "enum" and list(e.relative_path) == ["type"]
        for value in e.validator_value
    ]
    if known_types and isinstance(error.instance, dict):
        return [
            f"{error.json_path}.type: unknown type {error.instance.get('type')!r}; "
            f"expected one of {', '.join(known_types)}"
        ]
    return [f"{error.json_path}: {error.message}"]


def _report(validator: Draft6Validator | Draft7Validator, instance: Any, what: str) -> None:
    messages: list[str] = []
    for error in validator.iter_errors(instance):
        for message in _messages(error):
            if message not in messages:
                messages.append(message)
    if messages:
        raise AssertionError(f"{what} is not valid:\n" + "\n".join(f"  {m}" for m in messages))


def assert_valid_card(card: dict[str, Any]) -> None:
    """Assert `card` is a valid Adaptive Card 1.5 (a top-level `msteams` object is allowed)."""
    # The schema requires nothing at the top level, so check these two explicitly.
    assert card.get("type") == "AdaptiveCard", f"card type is {card.get('type')!r}"
    assert card.get("version") == "1.5", f"card version is {card.get('version')!r}, not '1.5'"
    _report(_card_validator(), card, "Adaptive Card (schema 1.5)")


def assert_valid_manifest(manifest: dict[str, Any]) -> None:
    """Assert `manifest` is a valid Teams app manifest for manifestVersion 1.19."""
    _report(_manifest_validator(), manifest, "Teams manifest (schema 1.19)")


def card_size_bytes(card: dict[str, Any]) -> int:
    """Size of the card as compact UTF-8 JSON, to compare with Teams' message size limit."""
    return len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
