"""Voice turns without Qt: what to listen for, and when to speak or listen.

The session says, per screen, what may be heard (:class:`Hearing`: a
grammar of the visible choices, or free dictation). :class:`VoiceLoop` is
the small state machine between the session and the speech devices: it
takes what happened (a new screen, a prompt ended, a touch, the citizen
started talking, words were understood) and returns commands (speak, stop
speaking, listen, stop listening, submit the words to the session). The Qt
side carries the commands out; tests drive the loop directly.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from kiosk.textnorm import canonical, clean

logger = logging.getLogger(__name__)

QUIET_DBFS = -60.0
"""The bottom of the level meter; quieter sound shows as nothing."""


@dataclass(frozen=True)
class YesNo:
    """The short answers a citizen may give in one language."""

    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()


YES_NO: Mapping[str, YesNo] = {
    "ro": YesNo(("da", "sigur", "corect", "exact"), ("nu",)),
    "hu": YesNo(("igen", "jó", "rendben", "persze"), ("nem",)),
    "en": YesNo(("yes", "yeah", "correct", "right"), ("no", "nope")),
}
"""Yes and no words per kiosk language, spoken as well as the button labels."""

LANGUAGE_WORDS: Mapping[str, tuple[str, ...]] = {
    "ro": ("română", "romanian", "román"),
    "hu": ("magyar", "maghiară", "hungarian"),
    "en": ("english", "engleză", "angol"),
}
"""What a citizen may say to pick a language: its own name, then others'."""

_PUNCTUATION = re.compile(r"[^\w]+")


def spoken_form(label: str) -> str:
    """A label as a grammar phrase: lower case, words only, diacritics kept."""
    words = _PUNCTUATION.split(canonical(clean(label)).lower().replace("_", " "))
    return " ".join(w for w in words if w)


@dataclass(frozen=True)
class Hearing:
    """What the screen listens for, in which language."""

    language: str
    phrases: tuple[str, ...] | None
    """Grammar phrases (see :func:`spoken_form`); None for free dictation."""

    def fits(self, language: str, grammar: Iterable[str] | None) -> bool:
        """A result with this language and grammar belongs to this hearing."""
        if language != self.language:
            return False
        if self.phrases is None or grammar is None:
            return self.phrases is None and grammar is None
        # The recogniser may drop phrases its model cannot say, never add any.
        return set(grammar) <= set(self.phrases)


class VoiceState(enum.Enum):
    """What the kiosk's voice is doing, as the microphone indicator shows it."""

    IDLE = "idle"
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"


@dataclass(frozen=True)
class VoiceStatus:
    """Everything the microphone indicator shows."""

    state: VoiceState
    language: str | None
    """The language listened in; None where the screen takes no speech."""
    available: bool
    """Speech input works in that language (a model, a microphone)."""
    level_dbfs: float = QUIET_DBFS
    """Live microphone level while listening, -60 (silence) to 0."""
    missed: bool = False
    """The last utterance matched none of the choices."""


# Commands -----------------------------------------------------------------


@dataclass(frozen=True)
class Speak:
    """Say a sentence, replacing any speech."""

    text: str
    language: str
    more: tuple[tuple[str, str], ...] = ()
    """(text, language) of sentences said right after, in this order."""

    @property
    def parts(self) -> tuple[tuple[str, str], ...]:
        """Every (text, language) to say, in order."""
        return ((self.text, self.language), *self.more)


@dataclass(frozen=True)
class StopSpeaking:
    """Be quiet now."""


@dataclass(frozen=True)
class Listen:
    """Start a listening turn (replacing one in progress)."""

    hearing: Hearing


@dataclass(frozen=True)
class StopListening:
    """Cancel the listening turn."""


@dataclass(frozen=True)
class Submit:
    """Hand the understood words to the session."""

    text: str


Command = Speak | StopSpeaking | Listen | StopListening | Submit


class VoiceLoop:
    """Turn-taking between the kiosk's voice and the citizen's.

    With ``listen_while_speaking`` the microphone is open while a prompt is
    spoken, and the citizen starting to talk cuts the prompt off (barge-in);
    without it, listening starts when the prompt ends. A touch always cuts
    the prompt off; a touch on a dictation screen also ends dictation there,
    since the citizen chose to type.
    """

    def __init__(
        self, available: Callable[[str], bool], listen_while_speaking: bool = True
    ) -> None:
        self._available = available
        self.listen_while_speaking = listen_while_speaking
        self._state = VoiceState.IDLE
        self._hearing: Hearing | None = None
        self._turn: Hearing | None = None
        self._typing = False
        self._failed: set[str] = set()
        self._level = QUIET_DBFS
        self._missed = False

    @property
    def state(self) -> VoiceState:
        """The current voice state."""
        return self._state

    @property
    def listening(self) -> Hearing | None:
        """The hearing of the listening turn in progress, if any."""
        return self._turn

    @property
    def status(self) -> VoiceStatus:
        """What the microphone indicator shows now."""
        hearing = self._hearing
        if hearing is None:
            return VoiceStatus(self._state, None, False)
        return VoiceStatus(
            self._state,
            hearing.language,
            self._usable(hearing.language),
            self._level if self._turn is not None else QUIET_DBFS,
            self._missed,
        )

    def on_screen(
        self, hearing: Hearing | None, said: Speak | None = None
    ) -> list[Command]:
        """A screen went up (or changed) and maybe a sentence is to be said."""
        commands: list[Command] = []
        if self._state is VoiceState.THINKING:
            self._state = VoiceState.IDLE
        changed = hearing != self._hearing
        self._hearing = hearing
        if changed:
            self._typing = self._missed = False
        if hearing is None:
            # Nobody is in a conversation: a failed microphone gets a new
            # chance with the next citizen.
            self._failed.clear()
        if said is not None:
            commands.append(said)
            self._state = VoiceState.SPEAKING
        if changed or (said is not None and not self.listen_while_speaking):
            commands += self._stop_listening()
        commands += self._listen_if_wanted()
        self._settle()
        return commands

    def on_prompt_ended(self) -> list[Command]:
        """The sentence was spoken to its end (or could not be spoken)."""
        if self._state is not VoiceState.SPEAKING:
            return []
        self._state = VoiceState.IDLE
        commands = self._listen_if_wanted()
        self._settle()
        return commands

    def on_touch(self) -> list[Command]:
        """The citizen touched the screen."""
        commands: list[Command] = []
        if self._state is VoiceState.SPEAKING:
            commands.append(StopSpeaking())
            self._state = VoiceState.IDLE
        self._missed = False
        if self._hearing is not None and self._hearing.phrases is None:
            self._typing = True
            commands += self._stop_listening()
        commands += self._listen_if_wanted()
        self._settle()
        return commands

    def on_speech_started(self) -> list[Command]:
        """The citizen started talking: the kiosk stops and listens."""
        if self._turn is None:
            return []
        self._missed = False
        if self._state is VoiceState.SPEAKING:
            self._state = VoiceState.LISTENING
            return [StopSpeaking()]
        return []

    def on_level(self, dbfs: float) -> None:
        """The microphone's level while listening."""
        self._level = max(QUIET_DBFS, min(0.0, dbfs))

    def on_understood(
        self, text: str, language: str, grammar: tuple[str, ...] | None
    ) -> list[Command]:
        """A listening turn ended with these words (maybe none)."""
        turn = self._turn
        if turn is None or not turn.fits(language, grammar):
            # The answer of a turn that was cancelled or replaced since.
            return []
        self._turn = None
        self._level = QUIET_DBFS
        if text.strip():
            self._state = VoiceState.THINKING
            return [Submit(text)]
        commands = self._listen_if_wanted()
        self._settle()
        return commands

    def on_rejected(self) -> list[Command]:
        """The session found no choice in the submitted words."""
        self._missed = True
        if self._state is VoiceState.THINKING:
            self._state = VoiceState.IDLE
        commands = self._listen_if_wanted()
        self._settle()
        return commands

    def on_listen_failed(self, language: str) -> list[Command]:
        """A turn could not run (no model, no microphone): touch only now."""
        self._failed.add(language)
        if self._turn is not None and self._turn.language == language:
            self._turn = None
        self._settle()
        return []

    def _usable(self, language: str) -> bool:
        return language not in self._failed and self._available(language)

    def _listen_if_wanted(self) -> list[Command]:
        hearing = self._hearing
        if self._turn is not None or hearing is None or self._typing:
            return []
        if self._state is VoiceState.SPEAKING and not self.listen_while_speaking:
            return []
        if not self._usable(hearing.language):
            return []
        self._turn = hearing
        return [Listen(hearing)]

    def _stop_listening(self) -> list[Command]:
        if self._turn is None:
            return []
        self._turn = None
        self._level = QUIET_DBFS
        return [StopListening()]

    def _settle(self) -> None:
        if self._state in (VoiceState.SPEAKING, VoiceState.THINKING):
            return
        self._state = VoiceState.LISTENING if self._turn else VoiceState.IDLE
