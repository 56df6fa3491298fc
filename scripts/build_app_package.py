"""Build the Teams app package: manifest.json and its two icons in one zip.

    python -m scripts.build_app_package --app-id <GUID> --bot-id <GUID> [--out PATH]
    python -m scripts.build_app_package --write-commands

`manifest/manifest.json` is a template: its `${{TEAMS_APP_ID}}` and `${{BOT_ID}}` placeholders
are replaced with the Teams app id and the bot's Microsoft App ID. The ids default to the
`TEAMS_APP_ID` and `MicrosoftAppId` environment variables. The rendered manifest is always
validated against the Teams 1.19 schema the repository carries (`schemas/`), and its command
lists must be those of the request kinds registered in app.py: `--write-commands` writes them
into the template.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a file: the bot's modules are importable from the root
    sys.path.insert(0, str(REPO_ROOT))

from app import REQUEST_KINDS  # noqa: E402
from dialogs.registry import KindRegistry  # noqa: E402

MANIFEST_DIR = REPO_ROOT / "manifest"
MANIFEST_SCHEMA = REPO_ROOT / "schemas" / "teams-manifest-1.19.schema.json"
DEFAULT_OUT = REPO_ROOT / "dist" / "fasttrack-bot.zip"

APP_ID_PLACEHOLDER = "${{TEAMS_APP_ID}}"
BOT_ID_PLACEHOLDER = "${{BOT_ID}}"
# Any `${{NAME}}` left after substitution would ship a broken manifest.
_PLACEHOLDER = re.compile(r"\$\{\{[^}]*\}\}")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

# Sizes Teams requires for the icons named in manifest["icons"].
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}

# A fixed timestamp makes the zip byte-for-byte reproducible for the same inputs.
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def require_guid(value: str | None, what: str) -> str:
    """Return `value` if it is a GUID; otherwise raise ValueError naming `what`."""
    if not value:
        raise ValueError(f"{what} is missing")
    if not _GUID.match(value):
        raise ValueError(
            f"{what} must be a GUID like 00000000-0000-0000-0000-000000000000, got {value!r}"
        )
    return value


def load_template(manifest_dir: Path = MANIFEST_DIR) -> dict[str, Any]:
    return json.loads((manifest_dir / "manifest.json").read_text(encoding="utf-8"))


def render_manifest(template: dict[str, Any], app_id: str, bot_id: str) -> dict[str, Any]:
    """Return a copy of `template` with the app and bot id placeholders replaced."""
    replacements = {
        APP_ID_PLACEHOLDER: require_guid(app_id, "Teams app id"),
        BOT_ID_PLACEHOLDER: require_guid(bot_id, "bot id"),
    }

    def substitute(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: substitute(value) for key, value in node.items()}
        if isinstance(node, list):
            return [substitute(item) for item in node]
        if isinstance(node, str):
            for placeholder, value in replacements.items():
                node = node.replace(placeholder, value)
            if leftover := _PLACEHOLDER.search(node):
                raise ValueError(f"manifest has an unknown placeholder {leftover.group()}")
        return node

    return substitute(copy.deepcopy(template))


def validate_manifest(manifest: dict[str, Any], schema_path: Path = MANIFEST_SCHEMA) -> None:
    """Raise ValueError listing every violation of the Teams manifest schema."""
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    # The schema declares draft 4 but uses `const` (draft 6+); Draft 7 enforces both.
    errors = sorted(Draft7Validator(schema).iter_errors(manifest), key=lambda e: e.json_path)
    if errors:
        details = "\n".join(f"  {error.json_path}: {error.message}" for error in errors)
        raise ValueError(f"manifest does not match {schema_path.name}:\n{details}")


def check_command_lists(manifest: dict[str, Any], kinds: KindRegistry = REQUEST_KINDS) -> None:
    """Raise ValueError unless the manifest lists the commands of the registered kinds."""
    if manifest["bots"][0]["commandLists"] != kinds.manifest_command_lists():
        raise ValueError(
            "the manifest's commandLists are not those of the request kinds registered in "
            "app.py: run python -m scripts.build_app_package --write-commands"
        )


def write_command_lists(
    manifest_dir: Path = MANIFEST_DIR, kinds: KindRegistry = REQUEST_KINDS
) -> Path:
    """Write the registered kinds' command lists into the manifest template."""
    template = load_template(manifest_dir)
    template["bots"][0]["commandLists"] = kinds.manifest_command_lists()
    path = manifest_dir / "manifest.json"
    path.write_text(json.dumps(template, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def check_icons(manifest: dict[str, Any], manifest_dir: Path = MANIFEST_DIR) -> None:
    """Raise ValueError unless each icon is a PNG of the size Teams requires."""
    for kind, expected in ICON_SIZES.items():
        path = manifest_dir / manifest["icons"][kind]
        if not path.is_file():
            raise ValueError(f"{kind} icon {path} does not exist (run scripts/make_icons.py)")
        with Image.open(path) as image:
            if image.format != "PNG":
                raise ValueError(f"{kind} icon {path.name} must be a PNG, not {image.format}")
            if image.size != expected:
                raise ValueError(
                    f"{kind} icon {path.name} must be {expected[0]}x{expected[1]}, "
                    f"not {image.size[0]}x{image.size[1]}"
                )


def build_package(
    app_id: str,
    bot_id: str,
    out: Path = DEFAULT_OUT,
    *,
    manifest_dir: Path = MANIFEST_DIR,
    schema_path: Path = MANIFEST_SCHEMA,
    kinds: KindRegistry = REQUEST_KINDS,
) -> Path:
    """Render, check and zip the manifest and icons; return the zip's path.

    Raises ValueError for a bad id, an invalid manifest, commands other than the registered
    kinds' or a wrong icon.
    """
    manifest = render_manifest(load_template(manifest_dir), app_id, bot_id)
    validate_manifest(manifest, schema_path)
    check_command_lists(manifest, kinds)
    check_icons(manifest, manifest_dir)

    out.parent.mkdir(parents=True, exist_ok=True)
    files = {"manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()}
    for kind in ICON_SIZES:
        name = manifest["icons"][kind]
        files[name] = (manifest_dir / name).read_bytes()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, _ZIP_TIMESTAMP)
            entry.external_attr = 0o644 << 16  # rw-r--r-- when unzipped
            archive.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the FastTrack Bot Teams app package (manifest.json and icons)."
    )
    parser.add_argument(
        "--app-id",
        default=os.environ.get("TEAMS_APP_ID"),
        help="Teams app id (GUID); default: $TEAMS_APP_ID",
    )
    parser.add_argument(
        "--bot-id",
        default=os.environ.get("MicrosoftAppId"),  # noqa: SIM112 - the Bot Framework's own name
        help="the bot's Microsoft App ID (GUID); default: $MicrosoftAppId",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    parser.add_argument(
        "--write-commands",
        action="store_true",
        help="write the registered request kinds' commands into manifest/manifest.json, and stop",
    )
    args = parser.parse_args(argv)
    if args.write_commands:
        print(f"wrote the command lists into {write_command_lists()}")
        return 0

    for value, option, env in (
        (args.app_id, "--app-id", "TEAMS_APP_ID"),
        (args.bot_id, "--bot-id", "MicrosoftAppId"),
    ):
        try:
            require_guid(value, f"{option} (or ${env})")
        except ValueError as error:
            parser.error(str(error))

    try:
        out = build_package(args.app_id, args.bot_id, args.out)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
