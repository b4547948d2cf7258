"""Remappable keys: config.toml's [keys] table, applied with Textual's keymap support."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mocktui.tui import keys
from mocktui.tui.app import MockTUI
from mocktui.tui.help import HelpScreen, help_renderable
from mocktui.tui.keymap import ConfigError, bindings_by_id, default_config_path, load_keymap
from mocktui.tui.traffic import TrafficView

from .conftest import plain, screen_text, wait_for

MakeApp = Callable[..., MockTUI]


def config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return str(path)


def test_a_keys_table_becomes_a_keymap(tmp_path: Path) -> None:
    path = config(
        tmp_path,
        '[keys]\n"traffic.clear" = "C"\n"app.quit" = ["q", "ctrl+q"]\n"app.help" = "f1, ?"\n',
    )
    assert load_keymap(path) == {"traffic.clear": "C", "app.quit": "q,ctrl+q", "app.help": "f1,?"}


def test_the_default_file_respects_xdg_config_home(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert default_config_path(env) == tmp_path / "mocktui" / "config.toml"
    assert load_keymap(None, env) == {}  # no file: no keymap, no error
    (tmp_path / "mocktui").mkdir()
    (tmp_path / "mocktui" / "config.toml").write_text('[keys]\n"detail.pager" = "P"\n')
    assert load_keymap(None, env) == {"detail.pager": "P"}
    assert default_config_path({"XDG_CONFIG_HOME": "relative"}) == (
        Path.home() / ".config" / "mocktui" / "config.toml"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[keys]\n"traffic.clr" = "C"\n',
            "[keys] unknown binding id 'traffic.clr' (did you mean 'traffic.clear'?)",
        ),
        ('[keys]\n"nothing" = "C"\n', "[keys] unknown binding id 'nothing' (see the README"),
        (
            '[keys]\n"traffic.clear" = "ctrl+"\n',
            "[keys] 'traffic.clear': 'ctrl+' is not a key (examples: a, A, ctrl+x",
        ),
        ('[keys]\n"traffic.clear" = "hyperdrive"\n', "'hyperdrive' is not a key"),
        ('[keys]\n"traffic.clear" = "ctl+c"\n', "'ctl+c' is not a key"),
        ('[keys]\n"traffic.clear" = 3\n', "expected a key (a string) or a list of keys"),
        ('[keys]\n"traffic.clear" = ""\n', "[keys] 'traffic.clear': an empty key"),
        (
            '[keys]\n"traffic.clear" = "enter"\n',
            "are both on 'enter': give one of them another key",
        ),
        ("[keys\n", "invalid TOML: "),
        ('[theme]\nname = "x"\n', "unknown entry 'theme' (mocktui reads a [keys] table)"),
        ('keys = "x"\n', "[keys] must be a table of binding id = key"),
    ],
)
def test_what_cannot_be_used_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_keymap(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_a_missing_config_file_given_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_keymap(str(tmp_path / "nope.toml"))
    assert str(info.value) == f"{tmp_path / 'nope.toml'}: cannot read: No such file or directory"


def test_bad_config_exits_2_with_one_line(tmp_path: Path) -> None:
    path = config(tmp_path, '[keys]\n"traffic.clr" = "C"\n')
    done = subprocess.run(
        [sys.executable, "-m", "mocktui", "--config", path, "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"mocktui: error: {path}: [keys] unknown binding id 'traffic.clr' "
        "(did you mean 'traffic.clear'?)\n"
    )


def test_every_binding_has_an_id_and_the_readme_lists_them() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    ids = bindings_by_id()
    every = [b for group in vars(keys).values() if isinstance(group, list) for b in group]
    assert all(b.id for b in every)
    missing = [binding_id for binding_id in ids if f"`{binding_id}`" not in readme]
    assert missing == []


async def test_remapped_keys_work_and_show_in_footer_and_help(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app(keymap={"traffic.clear": "C", "app.help": "f1"})
    async with app.run_test(size=(100, 30)) as pilot:
        await client.get("/users")
        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 1)
        await pilot.press("tab")
        assert app.focused is view
        footer = screen_text(app).splitlines()[-1]
        assert "C Clear" in footer and "c Clear" not in footer
        assert "f1 Help" in footer
        await pilot.press("c")  # the old key does nothing now
        assert len(view.rows) == 1
        await pilot.press("C")
        assert len(view.rows) == 0
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = plain(help_renderable(app), 100)
        assert "C             clear the list" in text
        assert "f1            this help" in text
