from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_settings
from kiosk.store import Outbox
from kiosk.sync.backend import DEMO_API_KEY
from kiosk.sync.cli import read_api_key


def test_sync_settings_load_from_toml_and_the_key_from_its_file(tmp_path: Path) -> None:
    key_file = tmp_path / "open311.key"
    key_file.write_text("s3cret\n")
    config = tmp_path / "kiosk.toml"
    config.write_text(
        '[sync]\nendpoint = "https://cityhall.example/open311/v2"\n'
        f'api_key_file = "{key_file}"\njurisdiction_id = "cluj-napoca.ro"\n'
        "timeout_s = 5\n[storage]\npurge_contact_after_days = 7\n"
    )

    settings = load_settings(config, tmp_path / "data")

    assert settings.sync.endpoint == "https://cityhall.example/open311/v2"
    assert settings.sync.timeout_s == 5.0
    assert settings.storage.purge_contact_after_days == 7
    assert settings.storage.data_dir == tmp_path / "data"
    assert read_api_key(settings) == "s3cret"
    assert read_api_key(load_settings()) == DEMO_API_KEY


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[sync]\nendpoint = "ftp://x"\n', "sync.endpoint"),
        ("[sync]\ntimeout_s = 0\n", "sync.timeout_s"),
        ('[sync]\nendpoint = "http://"\n', "sync.endpoint"),
        ('[sync]\nendpoint = "https:///open311/v2/"\n', "sync.endpoint"),
        ('[sync]\nendpoint = "http://127.0.0.1:99999/"\n', "sync.endpoint"),
        ("[sync]\ntimeout_s = nan\n", "sync.timeout_s"),
        ("[sync]\ninterval_s = nan\n", "sync.interval_s"),
        ("[sync]\nbudget_s = nan\n", "sync.budget_s"),
        ("[sync]\ntimeout_s = inf\n", "sync.timeout_s"),
        ("[sync]\ninterval_s = inf\n", "sync.interval_s"),
        ("[sync]\ninterval_s = 1e-300\n", "sync.interval_s"),
        ("[sync]\ninterval_s = 0.5\n", "sync.interval_s"),
        ("[sync]\nbudget_s = inf\n", "sync.budget_s"),
        ("[sync]\nbudget_s = -inf\n", "sync.budget_s"),
        ('[sync]\napi_key_file = "/nonexistent/key"\n', "sync.api_key_file"),
        (
            "[storage]\npurge_contact_after_days = -1\n",
            "storage.purge_contact_after_days",
        ),
    ],
)
def test_a_bad_sync_setting_is_refused_naming_the_key(
    tmp_path: Path, toml: str, key: str
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(toml)

    with pytest.raises(ConfigError) as failure:
        load_settings(config)

    assert failure.value.key == key


def test_an_outbox_from_before_the_sync_columns_is_migrated_in_place(
    tmp_path: Path,
) -> None:
    import sqlite3

    from kiosk.store import MIGRATIONS, NewRequest

    path = tmp_path / "old.sqlite3"
    with Outbox(path, "O") as outbox:
        ticket = outbox.enqueue(NewRequest("a.b", "cic", "ro", "veche")).ticket
    # Roll the file back to schema 1, as a kiosk running v0 left it.
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM schema_migrations WHERE name = '0002_sync_state'")
    for column in (
        "token",
        "rejected_reason",
        "sent_utc",
        "last_attempt_utc",
        "server_status",
        "status_notes",
        "status_updated_utc",
        "contact_purged_utc",
    ):
        conn.execute(f"ALTER TABLE requests DROP COLUMN {column}")
    conn.execute("DROP INDEX IF EXISTS idx_requests_server_id")
    conn.commit()
    conn.close()

    with Outbox(path, "O") as outbox:
        assert outbox.schema_version == len(MIGRATIONS)
        migrated = outbox.by_ticket(ticket)
    assert migrated is not None and migrated.text == "veche"
    assert migrated.token is None and migrated.sent_utc is None
