"""The ``[speech]`` section: listening (vosk) and speaking (espeak-ng).

Holds where the recognition models live, which audio devices to use, how
an utterance is cut, the volume range a citizen can choose from on the
loudspeaker or the headphone jack, and the speech rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from kiosk.config.errors import ConfigError

MIN_RATE_WPM = 80
"""Slowest speech rate espeak-ng speaks at, words per minute."""
MAX_RATE_WPM = 450
"""Fastest speech rate espeak-ng speaks at, words per minute."""


@dataclass(frozen=True)
class SpeechSettings:
    """Speech in (vosk) and out (espeak-ng)."""

    models_dir: Path = field(
        default_factory=lambda: Path(platformdirs.user_data_dir("antonia")) / "models"
    )
    """Holds one vosk model directory per language code, e.g. models/ro."""
    input_device: str = "default"
    """PortAudio input device: name, index, or "default"."""
    output_enabled: bool = False
    """Speak prompts aloud (the real kiosk sets this)."""
    output_device: str = "default"
    """ALSA playback device for aplay, e.g. "default" or "plughw:1,0"."""
    listen_while_speaking: bool = True
    """Keep the microphone open during prompts, so talking cuts them short.

    Needs a microphone with echo cancellation; without one the kiosk hears
    its own voice, so set it to false and listening starts after each prompt.
    """
    vad_aggressiveness: int = 2
    """Voice detector strictness, 0 (lenient) to 3 (strictest)."""
    max_utterance_s: float = 12.0
    """Longest utterance in seconds; longer speech is cut."""
    silence_timeout_s: float = 0.8
    """Seconds of silence that end an utterance."""
    headphones_device: str = ""
    """ALSA device of the headphone jack for private listening; empty: no jack."""
    volume_step_db: float = 3.0
    """Change of one Louder or Quieter press, dB (1 to 12)."""
    volume_min_db: float = -24.0
    """Quietest level, dB below the loudest (-60 to -12); the loudest is 0 dB,
    set with the ALSA mixer at installation to at least 65 dBA."""
    speaker_volume_db: float = -6.0
    """Loudspeaker level each citizen starts at, dB (volume_min_db to 0);
    keep it at 65 dBA or less."""
    headphones_volume_db: float = -12.0
    """Headphone level each citizen starts at, dB (volume_min_db to 0)."""
    rate_wpm: int = 175
    """Speech rate each citizen starts at, words per minute (80 to 450, the
    range espeak-ng speaks in; 175 is espeak-ng's own default)."""
    slow_rate_wpm: int = 120
    """Speech rate of the citizen's Slower speech toggle, words per minute
    (80 to below rate_wpm)."""


def validate_speech(speech: SpeechSettings) -> None:
    """Refuse a detector level, utterance limit, volume or rate out of range."""
    if speech.vad_aggressiveness not in range(4):
        raise ConfigError("speech.vad_aggressiveness", "must be 0, 1, 2 or 3")
    for key in ("max_utterance_s", "silence_timeout_s"):
        if not 0 < getattr(speech, key) <= 60:
            raise ConfigError(f"speech.{key}", "must be above 0 and at most 60")
    _validate_volume(speech)
    _validate_rate(speech)


def _validate_volume(speech: SpeechSettings) -> None:
    if not 1 <= speech.volume_step_db <= 12:
        raise ConfigError("speech.volume_step_db", "must be between 1 and 12")
    # EN 301 549 8.2.1.1: a step at least 12 dB above the quietest.
    if not -60 <= speech.volume_min_db <= -12:
        raise ConfigError("speech.volume_min_db", "must be between -60 and -12")
    for key in ("speaker_volume_db", "headphones_volume_db"):
        if not speech.volume_min_db <= getattr(speech, key) <= 0:
            raise ConfigError(
                f"speech.{key}", "must be between speech.volume_min_db and 0"
            )


def _validate_rate(speech: SpeechSettings) -> None:
    if not MIN_RATE_WPM <= speech.rate_wpm <= MAX_RATE_WPM:
        raise ConfigError(
            "speech.rate_wpm", f"must be between {MIN_RATE_WPM} and {MAX_RATE_WPM}"
        )
    if not MIN_RATE_WPM <= speech.slow_rate_wpm < speech.rate_wpm:
        raise ConfigError(
            "speech.slow_rate_wpm",
            f"must be at least {MIN_RATE_WPM} and below speech.rate_wpm",
        )
