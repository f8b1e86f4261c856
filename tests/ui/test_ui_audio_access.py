"""Volume, headphones and the languages of speech in the running window."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from firmware_bridge.messages import Headphones, RequestState
from kiosk.accessibility import AccessPrefs
from kiosk.app import Core
from kiosk.config import Settings
from kiosk.i18n import translations
from kiosk.session import ChooseLanguage, StartOver, Wake
from kiosk.speech.playback import SimulatedPlayer
from kiosk.speech.recognition import SimulatedRecognizer
from kiosk.speech.tts import TextToSpeech, ToneSynthesiser
from kiosk.speech_control import SLOWER_ON
from kiosk.ui.access import HEADPHONES_IN
from kiosk.ui.service_wiring import ServiceWiring
from tests.helpers.keypad import RecordingSpeaker, last_said, start_listening_kiosk
from tests.helpers.ui import OFFSCREEN_NOISE, Kiosk, tap
from tests.helpers.voice import start_voice_kiosk

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

WAIT_MS = 10_000


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A kiosk with a headphone jack and the default volume scale."""
    speech = replace(settings.speech, headphones_device="phones")
    return replace(settings, speech=speech)


@pytest.fixture
def kiosk(qtbot: QtBot, core: Core) -> Iterator[Kiosk]:
    running = start_listening_kiosk(qtbot, core)
    yield running
    running.controller.shutdown()


def _gains(kiosk: Kiosk) -> list[float]:
    assert isinstance(kiosk.speaker, RecordingSpeaker)
    return kiosk.speaker.gains


def test_louder_and_quieter_keep_a_level_per_output_until_the_session_ends(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    access, bar = kiosk.window.access, kiosk.window.access.bar
    assert _gains(kiosk)[-1] == -6.0  # the loudspeaker's default
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("hu"))

    tap(qtbot, bar.quieter_button)
    assert _gains(kiosk)[-1] == -9.0
    assert last_said(kiosk) == ("hu", "Hangerő: 6 / 9.")
    assert bar.quieter_button.text() == "Halkabb"

    access.set_headphones(True)
    assert _gains(kiosk)[-1] == -12.0  # the headphones' own default
    tap(qtbot, bar.louder_button)
    assert _gains(kiosk)[-1] == -9.0
    assert last_said(kiosk) == ("hu", "Hangerő: 6 / 9.")
    tap(qtbot, bar.louder_button)
    assert _gains(kiosk)[-1] == -6.0

    access.set_headphones(False)
    assert _gains(kiosk)[-1] == -9.0  # the loudspeaker kept its level
    assert access.prefs == AccessPrefs(speaker_steps=-1, headphones_steps=2)

    kiosk.controller.dispatch(StartOver())  # the attract screen: next citizen
    assert access.prefs == AccessPrefs()
    assert _gains(kiosk)[-1] == -6.0


def test_the_volume_stops_at_both_ends_and_says_so(qtbot: QtBot, kiosk: Kiosk) -> None:
    bar = kiosk.window.access.bar
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    for _ in range(4):
        tap(qtbot, bar.louder_button)
    assert _gains(kiosk)[-1] == 0.0
    assert last_said(kiosk) == ("en", "Volume 9 of 9.")
    for _ in range(12):
        tap(qtbot, bar.quieter_button)
    assert _gains(kiosk)[-1] == -24.0
    assert last_said(kiosk) == ("en", "Volume 1 of 9.")
    tap(qtbot, bar.louder_button)
    assert _gains(kiosk)[-1] == -21.0  # one press from the bottom is one step


def test_unplugging_says_where_speech_went(qtbot: QtBot, kiosk: Kiosk) -> None:
    access = kiosk.window.access
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("ro"))
    access.set_headphones(True)
    access.set_headphones(False)
    assert last_said(kiosk) == (
        "ro",
        translations("ro").gettext(
            "Headphones disconnected. Speech is on the loudspeaker."
        ),
    )


def test_the_real_speaker_says_the_language_screen_in_three_voices_and_follows_the_jack(
    qtbot: QtBot, core: Core
) -> None:
    synthesiser = ToneSynthesiser()
    player = SimulatedPlayer(realtime=False)
    outputs: list[TextToSpeech] = []

    def output(on_finished):  # type: ignore[no-untyped-def]
        outputs.append(TextToSpeech(synthesiser, player, on_finished=on_finished))
        return outputs[0]

    recognizer = SimulatedRecognizer(("ro", "hu", "en"), [])
    kiosk = start_voice_kiosk(qtbot, core, recognizer, output)
    tts = outputs[0]
    assert tts.gain_db == -6.0
    kiosk.controller.dispatch(Wake())
    qtbot.waitUntil(lambda: len(synthesiser.spoken) == 3, timeout=WAIT_MS)
    assert [language for _, language in synthesiser.spoken] == ["ro", "hu", "en"]
    for text, language in synthesiser.spoken:
        assert text.startswith(translations(language).gettext("Choose your language"))

    kiosk.window.access.set_headphones(True)
    assert tts.output_device == "phones" and tts.gain_db == -12.0
    connected = translations("ro").gettext(HEADPHONES_IN)
    qtbot.waitUntil(lambda: synthesiser.spoken[-1][0] == connected, timeout=WAIT_MS)
    assert tts.wait_idle(WAIT_MS / 1000)
    assert player.devices[-1] == "phones"  # said in the headphones only
    kiosk.window.access.set_headphones(False)
    assert tts.output_device == "default" and tts.gain_db == -6.0


def test_the_boards_headphone_jack_moves_speech_over_the_real_link(
    qtbot: QtBot, kiosk: Kiosk, core: Core
) -> None:
    quits: list[int] = []
    wiring = ServiceWiring(kiosk.window, kiosk.controller, core, quits.append)
    try:
        simulator, link = wiring.devices.simulator, wiring.devices.link
        assert simulator is not None and link is not None
        assert link.wait_until(lambda s: s.battery_percent is not None, WAIT_MS / 1000)
        speaker = kiosk.speaker
        assert isinstance(speaker, RecordingSpeaker)
        access = kiosk.window.access
        kiosk.controller.dispatch(Wake())
        kiosk.controller.dispatch(ChooseLanguage("en"))

        simulator.set_headphones(True)  # the board sees the jack's switch close
        qtbot.waitUntil(lambda: access.headphones, timeout=WAIT_MS)
        assert speaker.devices == ["phones"]
        assert last_said(kiosk)[1] == translations("en").gettext(HEADPHONES_IN)
        assert access.bar.screen_off_button.isVisible()

        # After a reconnect the board repeats its state: nothing happens twice.
        said = len(speaker.spoken)
        seen: list[object] = []
        wiring.reactor.bridge.event_posted.connect(seen.append)
        link.send(RequestState())
        qtbot.waitUntil(lambda: Headphones(True) in seen, timeout=WAIT_MS)
        # ``seen`` is filled on the link's thread, after the reactor's queued
        # delivery of the same event was posted: run that delivery now.
        QApplication.processEvents()
        assert speaker.devices == ["phones"] and len(speaker.spoken) == said

        keys = wiring.demo_keys
        assert keys is not None
        keys.on_headphones_key_activated()  # F6 in `make run`: pulled out
        qtbot.waitUntil(lambda: not access.headphones, timeout=WAIT_MS)
        assert speaker.devices == ["phones", "default"]
        assert link.status().headphones is False
    finally:
        wiring.close()


def test_slower_speech_sets_the_slow_rate_says_so_and_ends_with_the_session(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    access, bar = kiosk.window.access, kiosk.window.access.bar
    assert isinstance(kiosk.speaker, RecordingSpeaker)
    rates = kiosk.speaker.rates
    assert rates[-1] == 175  # [speech] rate_wpm
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("ro"))

    tap(qtbot, bar.slow_speech_button)
    assert rates[-1] == 120  # [speech] slow_rate_wpm
    assert bar.slow_speech_button.isChecked()
    assert bar.slow_speech_button.text() == "☑ Vorbire mai lentă"
    assert last_said(kiosk) == ("ro", "Vorbirea este acum mai lentă.")
    assert access.prefs == AccessPrefs(slow_speech=True)

    tap(qtbot, bar.slow_speech_button)
    assert rates[-1] == 175
    assert last_said(kiosk) == ("ro", "Vorbirea are acum viteza obișnuită.")

    tap(qtbot, bar.slow_speech_button)
    assert rates[-1] == 120
    kiosk.controller.dispatch(StartOver())  # the attract screen: next citizen
    assert access.prefs == AccessPrefs()
    assert rates[-1] == 175
    assert not bar.slow_speech_button.isChecked()


def test_the_real_speaker_synthesises_at_the_rate_the_citizen_chose(
    qtbot: QtBot, core: Core
) -> None:
    synthesiser = ToneSynthesiser()
    player = SimulatedPlayer(realtime=False)
    outputs: list[TextToSpeech] = []

    def output(on_finished):  # type: ignore[no-untyped-def]
        outputs.append(TextToSpeech(synthesiser, player, on_finished=on_finished))
        return outputs[0]

    recognizer = SimulatedRecognizer(("ro", "hu", "en"), [])
    kiosk = start_voice_kiosk(qtbot, core, recognizer, output)
    tts = outputs[0]
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("hu"))
    assert tts.wait_idle(WAIT_MS / 1000)
    tap(qtbot, kiosk.window.access.bar.slow_speech_button)
    assert tts.rate_wpm == 120
    said = translations("hu").gettext(SLOWER_ON)
    qtbot.waitUntil(
        lambda: bool(synthesiser.spoken) and synthesiser.spoken[-1][0] == said,
        timeout=WAIT_MS,
    )
    assert tts.wait_idle(WAIT_MS / 1000)
    # The feedback is already slower: the tone the engine made at its own
    # 200 wpm is stretched to last 200/120 times longer.
    slow = player.played[-1][1]
    assert slow == pytest.approx(0.06 * len(said) * 200 / 120, rel=0.02)
    kiosk.controller.dispatch(StartOver())
    assert tts.rate_wpm == 175
