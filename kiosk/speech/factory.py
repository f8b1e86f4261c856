"""Builders that turn the ``[speech]`` settings into working parts.

The native libraries (vosk, sounddevice, pyttsx3) are imported inside the
builders, so importing this module costs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.config import SpeechSettings
from kiosk.speech.audio import AudioSource
from kiosk.speech.endpoint import EndpointConfig
from kiosk.speech.listener import Listener, ListenerEvent
from kiosk.speech.playback import AplayPlayer
from kiosk.speech.recognition import Recognizer, SimulatedRecognizer
from kiosk.speech.tts import Pyttsx3Synthesiser, TextToSpeech

logger = logging.getLogger(__name__)


def endpoint_config(settings: SpeechSettings) -> EndpointConfig:
    """The end-of-speech rules from the settings."""
    return EndpointConfig(
        aggressiveness=settings.vad_aggressiveness,
        max_utterance_s=settings.max_utterance_s,
        silence_timeout_s=settings.silence_timeout_s,
    )


def build_recognizer(settings: SpeechSettings) -> Recognizer:
    """The vosk recogniser, or one with no language when vosk is missing."""
    try:
        from kiosk.speech.vosk_recognizer import VoskRecognizer
    except ImportError as exc:
        logger.warning("Speech input is off: vosk cannot be imported (%s)", exc)
        return SimulatedRecognizer(languages=())
    return VoskRecognizer(settings.models_dir)


def microphone_opener(settings: SpeechSettings) -> Callable[[], AudioSource]:
    """A function that opens the configured microphone for one turn."""

    def open_microphone() -> AudioSource:
        from kiosk.speech.microphone import Microphone

        return Microphone(settings.input_device)

    return open_microphone


def build_listener(
    settings: SpeechSettings,
    on_event: Callable[[ListenerEvent], None],
    recognizer: Recognizer | None = None,
) -> Listener:
    """The microphone listener, with its own thread already running."""
    return Listener(
        recognizer or build_recognizer(settings),
        microphone_opener(settings),
        on_event,
        endpoint_config(settings),
    )


def build_speaker(
    settings: SpeechSettings, on_finished: Callable[[bool], None] | None = None
) -> TextToSpeech | None:
    """The espeak-ng speaker, or None when speech output is switched off."""
    if not settings.output_enabled:
        return None
    speaker = TextToSpeech(
        Pyttsx3Synthesiser(),
        AplayPlayer(settings.output_device),
        on_finished=on_finished,
    )
    speaker.set_rate_wpm(settings.rate_wpm)
    return speaker
