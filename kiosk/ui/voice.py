"""Voice for the touch screen: speaker, listener and the microphone indicator.

:class:`VoiceBridge` is the controller's Speaker. It hears of every new
screen through the controller's ``view_changed`` signal and of every touch
through an event filter, asks the Qt-free :class:`kiosk.voice.VoiceLoop`
what to do, and does it: speak, stop, listen, or hand the understood words
to the session as a ``SpeechHeard`` event. The speaker and the listener
call back on their own threads; those calls only emit signals, which Qt
queues to this object's thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QWidget,
)

from kiosk.config import SpeechSettings
from kiosk.i18n import N_, translations
from kiosk.session import SpeechHeard, View
from kiosk.speech.audio import AudioSource
from kiosk.speech.factory import (
    build_recognizer,
    build_speaker,
    endpoint_config,
    microphone_opener,
)
from kiosk.speech.listener import (
    Level,
    Listener,
    ListenerEvent,
    ListenFailed,
    SpeechStarted,
    Understood,
)
from kiosk.speech.playback import PlaybackHealth
from kiosk.speech.recognition import Recognizer
from kiosk.ui.controller import SessionController
from kiosk.ui.timer import NamedTimer
from kiosk.ui.window import MainWindow
from kiosk.voice import (
    QUIET_DBFS,
    Command,
    Hearing,
    Listen,
    Speak,
    StopListening,
    StopSpeaking,
    Submit,
    VoiceLoop,
    VoiceState,
    VoiceStatus,
)

logger = logging.getLogger(__name__)

_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)
_STATE_TEXTS = {
    VoiceState.IDLE: N_("Microphone on"),
    VoiceState.LISTENING: N_("Listening"),
    VoiceState.THINKING: N_("Thinking"),
    VoiceState.SPEAKING: N_("Speaking"),
}
_UNAVAILABLE = N_("Microphone unavailable")
_MISSED = N_("Not understood, say it again")


class SpeechOutput(Protocol):
    """Speech out as :class:`kiosk.speech.tts.TextToSpeech` offers it."""

    failed: int
    """Sentences lost so far (the speaker counts them)."""

    def speak(self, text: str, language: str) -> None:
        """Say a sentence, cutting off whatever is being said."""
        ...

    def speak_parts(self, parts: Sequence[tuple[str, str]]) -> None:
        """Say (text, language) sentences in a row, cutting off any speech."""
        ...

    def set_output_device(self, device: str) -> None:
        """Play the following sentences on this ALSA device."""
        ...

    def set_gain_db(self, gain_db: float) -> None:
        """Play the following sentences this many dB louder (or quieter)."""
        ...

    def set_rate_wpm(self, rate_wpm: int) -> None:
        """Say the following sentences at this many words per minute."""
        ...

    def stop(self) -> None:
        """Be quiet now."""
        ...

    @property
    def paused(self) -> bool:
        """What is being said is held by ``pause()``."""
        ...

    def playback_health(self) -> PlaybackHealth:
        """How playback has gone lately."""
        ...

    def pause(self) -> bool:
        """Hold what is being said; False if nothing is."""
        ...

    def resume(self) -> bool:
        """Go on from where ``pause()`` held; False if nothing was."""
        ...

    def close(self) -> None:
        """End the speech thread."""
        ...


class VoiceIndicator(QFrame):
    """The microphone's state and live level, in the window's top bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voice")
        # Smaller than the buttons: it sits between them in the top bar.
        self.setStyleSheet("QLabel { font-size: 18px; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        self.state_label = QLabel()
        self.state_label.setObjectName("voice-state")
        self.level_bar = QProgressBar()
        self.level_bar.setObjectName("voice-level")
        self.level_bar.setRange(0, int(-QUIET_DBFS))
        self.level_bar.setTextVisible(False)
        self.level_bar.setFixedSize(120, 24)
        layout.addWidget(self.state_label)
        layout.addWidget(self.level_bar)
        self.status = VoiceStatus(VoiceState.IDLE, None, False)
        self.hide()

    def show_status(self, status: VoiceStatus) -> None:
        """Show the state in the language listened in; hide off-conversation."""
        self.status = status
        if status.language is None:
            self.hide()
            return
        translate = translations(status.language).gettext
        listening = status.state is VoiceState.LISTENING
        if not status.available:
            text = translate(_UNAVAILABLE)
        elif status.missed and listening:
            text = translate(_MISSED)
        else:
            text = translate(_STATE_TEXTS[status.state])
        self.state_label.setText(text)
        self.setProperty("available", status.available)
        self.level_bar.setVisible(status.available and listening)
        self.level_bar.setValue(int(status.level_dbfs - QUIET_DBFS))
        self.show()


class VoiceBridge(QObject):
    """Speech in and out for the touch screen; the controller's Speaker."""

    listener_reported = Signal(object, float)
    """A listener event and when it happened (crosses from its thread)."""
    prompt_ended = Signal()
    """A sentence was played to its end or lost (crosses from its thread)."""
    words_ready = Signal(str)
    """Understood words, queued so the indicator can show "thinking" first."""
    status_changed = Signal(object)
    """The VoiceStatus the microphone indicator shows."""
    heard = Signal(object, float)
    """Words went to the session: the Understood event and its arrival time."""

    def __init__(
        self, listen_while_speaking: bool = True, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._output: SpeechOutput | None = None
        self._listener: Listener | None = None
        self._failed_seen = 0
        self.loop = VoiceLoop(self._available, listen_while_speaking)
        self.spoken: list[tuple[str, str]] = []
        """Language and text of the last sentences (with or without output)."""
        self.output_device: str | None = None
        """The device last asked for; None: the configured one."""
        self.gain_db = 0.0
        """The level last asked for, in dB."""
        self.rate_wpm: int | None = None
        """The speech rate last asked for; None: the configured one."""
        self.indicator = VoiceIndicator()
        self._controller: SessionController | None = None
        self._window: QWidget | None = None
        self._hearing: Hearing | None = None
        self._said: Speak | None = None
        self._shown = False
        self._status = self.loop.status
        self._settle_timer = NamedTimer(
            "voice-settle", 0, single_shot=True, parent=self
        )
        self._settle_timer.timeout.connect(self.on_settle_timer_timeout)
        queued = Qt.ConnectionType.QueuedConnection
        self.listener_reported.connect(self.on_bridge_listener_reported, queued)
        self.prompt_ended.connect(self.on_bridge_prompt_ended, queued)
        self.words_ready.connect(self.on_bridge_words_ready, queued)
        self.status_changed.connect(self.indicator.show_status)

    # Wiring ----------------------------------------------------------------

    def attach(self, output: SpeechOutput | None, listener: Listener | None) -> None:
        """Use this speech output (None: silent) and listener (None: deaf)."""
        self._output = output
        self._listener = listener

    def install(self, window: MainWindow) -> None:
        """Show the indicator; follow the session's screens and the touches."""
        controller = window.controller
        self._controller = controller
        self._window = window
        window.add_status_widget(self.indicator)
        controller.view_changed.connect(self.on_controller_view_changed)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def on_speech_thread_finished(self, completed: bool) -> None:
        """TextToSpeech's on_finished, called on the speech thread."""
        output = self._output
        failed = output.failed if output is not None else 0
        lost = failed != self._failed_seen
        self._failed_seen = failed
        # A sentence cut off by a newer one or by stop() reports False too;
        # only one played to the end or lost for good ends the prompt.
        if completed or lost:
            self.prompt_ended.emit()

    def on_listener_thread_event(self, event: ListenerEvent) -> None:
        """The Listener's on_event, called on the listener's thread."""
        self.listener_reported.emit(event, time.monotonic())

    def close(self) -> None:
        """Stop listening and speaking; end both threads."""
        self._settle_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        listener, self._listener = self._listener, None
        output, self._output = self._output, None
        if listener is not None:
            listener.close()
        if output is not None:
            output.close()

    # The controller's Speaker ------------------------------------------------

    def say(self, text: str, language: str) -> None:
        """Speak once the screen that goes with the sentence is known."""
        self._said = Speak(text, language)
        self._settle_timer.start_named()

    def say_parts(self, parts: Sequence[tuple[str, str]]) -> None:
        """Speak several sentences in a row once the screen is known."""
        (text, language), *more = parts
        self._said = Speak(text, language, tuple(more))
        self._settle_timer.start_named()

    def stop(self) -> None:
        """Stop speaking now."""
        self._run([StopSpeaking()])

    def set_output_device(self, device: str) -> None:
        """Move speech to this ALSA device (the headphones, or back)."""
        self.output_device = device
        if self._output is not None:
            self._output.set_output_device(device)

    def set_gain_db(self, gain_db: float) -> None:
        """Play the following sentences at this level, in dB."""
        self.gain_db = gain_db
        if self._output is not None:
            self._output.set_gain_db(gain_db)

    def set_rate_wpm(self, rate_wpm: int) -> None:
        """Say the following sentences at this many words per minute."""
        self.rate_wpm = rate_wpm
        if self._output is not None:
            self._output.set_rate_wpm(rate_wpm)

    def playback_health(self) -> PlaybackHealth | None:
        """How speech output has gone lately; None when speech is off."""
        if self._output is None:
            return None
        return self._output.playback_health()

    @property
    def paused(self) -> bool:
        """The speech output holds a sentence (the Pause key)."""
        return self._output is not None and self._output.paused

    def pause(self) -> bool:
        """Hold what is being said; False if nothing is (or no output)."""
        return self._output is not None and self._output.pause()

    def resume(self) -> bool:
        """Go on with the held sentence; False if nothing was held."""
        return self._output is not None and self._output.resume()

    # Slots -----------------------------------------------------------------

    @Slot(object)
    def on_controller_view_changed(self, view: View) -> None:
        """A new view: what the session listens for may have changed."""
        self._shown = True
        assert self._controller is not None
        self._hearing = self._controller.session.hearing()
        self._settle_timer.start_named()

    @Slot()
    def on_settle_timer_timeout(self) -> None:
        """The session's effects are all in: speak and listen for the screen."""
        said, self._said = self._said, None
        self._run(self.loop.on_screen(self._hearing, said))

    @Slot()
    def on_bridge_prompt_ended(self) -> None:
        """The prompt is over: listen, if the screen wants to."""
        self._run(self.loop.on_prompt_ended())

    @Slot(object, float)
    def on_bridge_listener_reported(self, event: ListenerEvent, at: float) -> None:
        """Carry a listener event over to the voice loop."""
        if isinstance(event, Level):
            self.loop.on_level(event.dbfs)
            self._publish()
        elif isinstance(event, SpeechStarted):
            self._run(self.loop.on_speech_started())
        elif isinstance(event, Understood):
            hypothesis = event.heard.hypothesis
            logger.debug(
                "voice.understood chars=%d reason=%s",
                len(hypothesis.text),
                event.heard.reason.value,
            )
            commands = self.loop.on_understood(
                hypothesis.text, hypothesis.language, hypothesis.grammar
            )
            if any(isinstance(c, Submit) for c in commands):
                self.heard.emit(event, at)
            self._run(commands)
        elif isinstance(event, ListenFailed):
            logger.info("Speech input is off in %s: touch only", event.language)
            self._run(self.loop.on_listen_failed(event.language))

    @Slot(str)
    def on_bridge_words_ready(self, text: str) -> None:
        """Give the words to the session, as a touch would give its event."""
        if self._controller is None:
            return
        self._shown = False
        self._controller.dispatch(SpeechHeard(text))
        if not self._shown:
            self._run(self.loop.on_rejected())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """A touch anywhere in the window silences the kiosk at once."""
        window = self._window
        if (
            event.type() in _PRESSES
            and window is not None
            and isinstance(watched, QWidget)
            and (watched is window or window.isAncestorOf(watched))
        ):
            self._run(self.loop.on_touch())
        return False

    # Carrying out the loop's commands -----------------------------------------

    def _available(self, language: str) -> bool:
        return self._listener is not None and self._listener.available(language)

    def _run(self, commands: Sequence[Command]) -> None:
        for command in commands:
            if isinstance(command, Speak):
                self._speak(command)
            elif isinstance(command, StopSpeaking):
                if self._output is not None:
                    self._output.stop()
            elif isinstance(command, Listen) and self._listener is not None:
                hearing = command.hearing
                self._listener.listen(hearing.language, hearing.phrases)
            elif isinstance(command, StopListening) and self._listener is not None:
                self._listener.cancel()
            elif isinstance(command, Submit):
                self.words_ready.emit(command.text)
        self._publish()

    def _speak(self, command: Speak) -> None:
        self.spoken += [(language, text) for text, language in command.parts]
        del self.spoken[:-50]
        if self._output is None:
            # Nobody to hear the prompt out: it is over at once.
            self.prompt_ended.emit()
            return
        self._output.speak_parts(command.parts)

    def _publish(self) -> None:
        status = self.loop.status
        if status != self._status:
            self._status = status
            self.status_changed.emit(status)


def build_voice(
    settings: SpeechSettings,
    *,
    recognizer: Recognizer | None = None,
    open_source: Callable[[], AudioSource] | None = None,
) -> VoiceBridge:
    """The voice from the settings: speaker if enabled, listener, indicator."""
    bridge = VoiceBridge(settings.listen_while_speaking)
    output = build_speaker(settings, bridge.on_speech_thread_finished)
    listener = Listener(
        recognizer or build_recognizer(settings),
        open_source or microphone_opener(settings),
        bridge.on_listener_thread_event,
        endpoint_config(settings),
    )
    bridge.attach(output, listener)
    return bridge
