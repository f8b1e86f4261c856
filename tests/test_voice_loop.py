"""Turn-taking between the kiosk's voice and the citizen's, without Qt."""

from __future__ import annotations

from kiosk.voice import (
    Hearing,
    Listen,
    Speak,
    StopListening,
    StopSpeaking,
    Submit,
    VoiceLoop,
    VoiceState,
)

YES_NO = Hearing("en", ("yes", "no"))
DICTATION = Hearing("en", None)
PROMPT = Speak("Is this right?", "en")


def loop(barge_in: bool = True, languages: tuple[str, ...] = ("en",)) -> VoiceLoop:
    return VoiceLoop(lambda lang: lang in languages, listen_while_speaking=barge_in)


def test_with_barge_in_the_kiosk_listens_while_it_speaks() -> None:
    voice = loop()
    assert voice.on_screen(YES_NO, PROMPT) == [PROMPT, Listen(YES_NO)]
    assert voice.state is VoiceState.SPEAKING
    assert voice.on_speech_started() == [StopSpeaking()]
    assert voice.state is VoiceState.LISTENING


def test_without_barge_in_listening_starts_when_the_prompt_ends() -> None:
    voice = loop(barge_in=False)
    assert voice.on_screen(YES_NO, PROMPT) == [PROMPT]
    assert voice.on_speech_started() == []  # no turn: nothing to hear
    assert voice.on_prompt_ended() == [Listen(YES_NO)]
    assert voice.state is VoiceState.LISTENING


def test_a_touch_stops_the_prompt_at_once() -> None:
    voice = loop(barge_in=False)
    voice.on_screen(YES_NO, PROMPT)
    assert voice.on_touch() == [StopSpeaking(), Listen(YES_NO)]
    assert voice.state is VoiceState.LISTENING
    assert voice.on_touch() == []  # nothing left to stop


def test_a_touch_on_the_dictation_screen_ends_dictation_there() -> None:
    voice = loop()
    voice.on_screen(DICTATION, Speak("Tell us", "en"))
    assert voice.on_touch() == [StopSpeaking(), StopListening()]
    assert voice.state is VoiceState.IDLE
    # A new screen listens again.
    assert voice.on_screen(YES_NO, PROMPT) == [PROMPT, Listen(YES_NO)]


def test_understood_words_are_submitted_while_the_kiosk_thinks() -> None:
    voice = loop()
    voice.on_screen(YES_NO, PROMPT)
    voice.on_prompt_ended()
    assert voice.on_understood("yes", "en", ("yes", "no")) == [Submit("yes")]
    assert voice.state is VoiceState.THINKING
    reply = Speak("Leave a phone number", "en")
    contact = Hearing("en", ("continue without",))
    assert voice.on_screen(contact, reply) == [reply, Listen(contact)]
    assert voice.state is VoiceState.SPEAKING


def test_silence_or_words_that_match_nothing_listen_again() -> None:
    voice = loop()
    voice.on_screen(YES_NO)
    assert voice.on_understood("", "en", ("yes", "no")) == [Listen(YES_NO)]
    assert voice.on_understood("pizza", "en", ("yes", "no")) == [Submit("pizza")]
    assert voice.on_rejected() == [Listen(YES_NO)]
    assert voice.status.missed
    assert voice.state is VoiceState.LISTENING


def test_an_answer_from_a_cancelled_turn_is_ignored() -> None:
    voice = loop()
    voice.on_screen(YES_NO)
    contact = Hearing("en", ("continue without",))
    assert voice.on_screen(contact) == [StopListening(), Listen(contact)]
    assert voice.on_understood("yes", "en", ("yes", "no")) == []
    assert voice.listening == contact


def test_a_language_without_a_model_is_never_listened_to() -> None:
    voice = loop(languages=("en",))
    romanian = Hearing("ro", ("da", "nu"))
    assert voice.on_screen(romanian, Speak("Este corect?", "ro")) == [
        Speak("Este corect?", "ro")
    ]
    assert voice.on_prompt_ended() == []
    status = voice.status
    assert status.language == "ro" and not status.available
    assert status.state is VoiceState.IDLE


def test_a_failed_microphone_leaves_touch_until_the_next_citizen() -> None:
    voice = loop()
    voice.on_screen(YES_NO)
    assert voice.on_listen_failed("en") == []
    assert not voice.status.available
    assert voice.on_screen(DICTATION) == []
    assert voice.on_screen(None) == []
    assert voice.on_screen(YES_NO) == [Listen(YES_NO)]


def test_the_level_shows_only_while_listening() -> None:
    voice = loop()
    voice.on_screen(YES_NO)
    voice.on_level(-20.0)
    assert voice.status.level_dbfs == -20.0
    voice.on_level(-200.0)
    assert voice.status.level_dbfs == -60.0
    voice.on_level(-12.0)
    voice.on_screen(None)
    assert voice.status.level_dbfs == -60.0 and voice.status.language is None
