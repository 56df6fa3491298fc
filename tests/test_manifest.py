"""The Teams app manifest, its icons and the app package built from them."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from app import REQUEST_KINDS
from cards.welcome import MenuItem
from dialogs.registry import ConversationKind, KindRegistry
from scripts.build_app_package import (
    MANIFEST_DIR,
    build_package,
    check_command_lists,
    check_icons,
    load_template,
    main,
    render_manifest,
    write_command_lists,
)
from tests.schemas import assert_valid_manifest

APP_ID = "0b4f6c1e-8d2a-4e7b-9c3f-5a1d2e3f4a5b"
BOT_ID = "7c9e2d4a-1b3f-4a5c-8e6d-9f0a1b2c3d4e"

# Every kind registered in app.py between help and the reader's own commands.
PERSONAL_COMMANDS = [
    "help",
    *(item.command for item in REQUEST_KINDS.menu_items),
    "my requests",
    "my approvals",
    "cancel",
]
SHARED_SCOPE_COMMANDS = ["help", "my requests"]


@pytest.fixture
def manifest() -> dict:
    return render_manifest(load_template(), APP_ID, BOT_ID)


def test_rendered_manifest_is_valid(manifest: dict) -> None:
    assert_valid_manifest(manifest)
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == BOT_ID


def test_raw_template_is_not_valid_because_of_its_placeholders() -> None:
    # Proves the validator can fail: placeholders are not GUIDs.
    with pytest.raises(AssertionError) as failure:
        assert_valid_manifest(load_template())
    assert "$.id:" in str(failure.value)
    assert "$.bots[0].botId:" in str(failure.value)


def test_render_does_not_change_the_template() -> None:
    template = load_template()
    render_manifest(template, APP_ID, BOT_ID)
    assert template["id"] == "${{TEAMS_APP_ID}}"
    assert template["bots"][0]["botId"] == "${{BOT_ID}}"


def test_bot_offers_its_commands_in_every_scope(manifest: dict) -> None:
    bot = manifest["bots"][0]
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    commands = {
        scope: [command["title"] for command in command_list["commands"]]
        for command_list in bot["commandLists"]
        for scope in command_list["scopes"]
    }
    assert commands == {
        "personal": PERSONAL_COMMANDS,
        "team": SHARED_SCOPE_COMMANDS,
        "groupChat": SHARED_SCOPE_COMMANDS,
    }


def test_names_and_descriptions(manifest: dict) -> None:
    assert manifest["manifestVersion"] == "1.19"
    assert manifest["name"] == {
        "short": "FastTrack Bot",
        "full": "FastTrack requests and approvals",
    }
    assert len(manifest["description"]["short"]) <= 80
    full = manifest["description"]["full"].lower()
    for topic in ("non-standard delivery", "covid", "windows virtual desktop", "acm"):
        assert topic in full


def test_icons_have_the_sizes_teams_requires(manifest: dict) -> None:
    with Image.open(MANIFEST_DIR / manifest["icons"]["color"]) as color:
        assert (color.format, color.size) == ("PNG", (192, 192))
    with Image.open(MANIFEST_DIR / manifest["icons"]["outline"]) as outline:
        assert (outline.format, outline.size) == ("PNG", (32, 32))


def test_outline_icon_is_white_on_transparent(manifest: dict) -> None:
    with Image.open(MANIFEST_DIR / manifest["icons"]["outline"]) as outline:
        assert outline.mode == "RGBA"
        data = outline.tobytes()
    pixels = [tuple(data[i : i + 4]) for i in range(0, len(data), 4)]
    visible = [pixel for pixel in pixels if pixel[3] > 0]
    assert visible, "outline icon is empty"
    assert len(visible) < len(pixels), "outline icon has no transparent background"
    assert {pixel[:3] for pixel in visible} == {(255, 255, 255)}


def test_package_holds_exactly_the_manifest_and_icons(tmp_path: Path) -> None:
    out = build_package(APP_ID, BOT_ID, tmp_path / "dist" / "app.zip")
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        packaged = json.loads(archive.read("manifest.json"))
        assert archive.read("outline.png") == (MANIFEST_DIR / "outline.png").read_bytes()
    assert packaged["id"] == APP_ID
    assert packaged["bots"][0]["botId"] == BOT_ID
    assert_valid_manifest(packaged)


def test_a_manifest_the_schema_refuses_is_not_packaged(tmp_path: Path) -> None:
    manifest_dir = tmp_path / "manifest"
    shutil.copytree(MANIFEST_DIR, manifest_dir)
    template = json.loads((manifest_dir / "manifest.json").read_text(encoding="utf-8"))
    del template["developer"]
    (manifest_dir / "manifest.json").write_text(json.dumps(template), encoding="utf-8")
    out = tmp_path / "app.zip"
    with pytest.raises(ValueError, match="'developer' is a required property"):
        build_package(APP_ID, BOT_ID, out, manifest_dir=manifest_dir)
    assert not out.exists()


def test_cli_reads_ids_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("MicrosoftAppId", BOT_ID)
    assert main(["--out", str(tmp_path / "app.zip")]) == 0
    with zipfile.ZipFile(tmp_path / "app.zip") as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID


@pytest.mark.parametrize("bad_id", ["", "not-a-guid", "0b4f6c1e8d2a4e7b9c3f5a1d2e3f4a5b"])
def test_render_rejects_an_id_that_is_not_a_guid(bad_id: str) -> None:
    with pytest.raises(ValueError, match="Teams app id"):
        render_manifest(load_template(), bad_id, BOT_ID)
    with pytest.raises(ValueError, match="bot id"):
        render_manifest(load_template(), APP_ID, bad_id)


def test_cli_explains_a_bad_or_missing_id(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("TEAMS_APP_ID", raising=False)
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    out = str(tmp_path / "app.zip")

    with pytest.raises(SystemExit) as exit_info:
        main(["--app-id", "nope", "--bot-id", BOT_ID, "--out", out])
    assert exit_info.value.code == 2
    assert "--app-id (or $TEAMS_APP_ID) must be a GUID" in capsys.readouterr().err

    with pytest.raises(SystemExit):
        main(["--app-id", APP_ID, "--out", out])
    assert "--bot-id (or $MicrosoftAppId) is missing" in capsys.readouterr().err
    assert not (tmp_path / "app.zip").exists()


def test_unknown_placeholder_is_an_error() -> None:
    template = {**load_template(), "packageName": "${{PACKAGE_NAME}}"}
    with pytest.raises(ValueError, match=r"unknown placeholder \$\{\{PACKAGE_NAME\}\}"):
        render_manifest(template, APP_ID, BOT_ID)


def test_icon_of_the_wrong_size_is_an_error(tmp_path: Path, manifest: dict) -> None:
    shutil.copy(MANIFEST_DIR / "color.png", tmp_path / "color.png")
    Image.new("RGBA", (48, 48), (255, 255, 255, 0)).save(tmp_path / "outline.png")
    with pytest.raises(ValueError, match=r"outline icon outline\.png must be 32x32, not 48x48"):
        check_icons(manifest, tmp_path)


def test_the_manifest_lists_the_commands_of_the_registered_kinds(manifest: dict) -> None:
    # Fails when a kind is registered in app.py and the manifest was not written again.
    assert manifest["bots"][0]["commandLists"] == REQUEST_KINDS.manifest_command_lists()


def _with_a_fake_kind() -> KindRegistry:
    fake = MenuItem("fake request", "Fake request", "A kind only this test knows")
    return KindRegistry([*REQUEST_KINDS.kinds, ConversationKind(fake, lambda services: None)])


def test_a_kind_added_to_the_registry_is_refused_until_written_into_the_manifest(
    tmp_path: Path,
) -> None:
    kinds = _with_a_fake_kind()
    manifest_dir = tmp_path / "manifest"
    shutil.copytree(MANIFEST_DIR, manifest_dir)
    out = tmp_path / "app.zip"
    with pytest.raises(ValueError, match="--write-commands"):
        build_package(APP_ID, BOT_ID, out, manifest_dir=manifest_dir, kinds=kinds)
    assert not out.exists()

    write_command_lists(manifest_dir, kinds)
    build_package(APP_ID, BOT_ID, out, manifest_dir=manifest_dir, kinds=kinds)
    with zipfile.ZipFile(out) as archive:
        packaged = json.loads(archive.read("manifest.json"))
    personal = [c["title"] for c in packaged["bots"][0]["commandLists"][0]["commands"]]
    assert personal == [*PERSONAL_COMMANDS[:-3], "fake request", *PERSONAL_COMMANDS[-3:]]
    assert_valid_manifest(packaged)
    with pytest.raises(ValueError, match="--write-commands"):
        check_command_lists(packaged)  # the app's own registry has no fake kind
