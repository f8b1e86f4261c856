"""The ``kiosk hear`` and ``kiosk say`` commands, for technicians and tests."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from kiosk.config import LANGUAGES, load_settings
from kiosk.speech.audio import WavFileSource
from kiosk.speech.endpoint import Endpointer
from kiosk.speech.errors import NoModelError, SpeechError
from kiosk.speech.factory import build_recognizer, endpoint_config
from kiosk.speech.listener import Heard, recognise
from kiosk.speech.playback import AplayPlayer, wav_duration_s
from kiosk.speech.tts import MAX_SPOKEN_CHARS, Pyttsx3Synthesiser, TextToSpeech

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
SAY_TIMEOUT_S = 120.0
"""Longest ``kiosk say`` waits for its sentence to be played."""


def add_parsers(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Register ``hear`` and ``say`` on the kiosk command's subparsers."""
    hear = subparsers.add_parser(
        "hear", parents=list(parents), help="recognise the speech in a WAV file"
    )
    hear.add_argument("wav", type=Path, metavar="FILE.wav")
    # Any language with a model folder, not only the kiosk's: technicians
    # check stand-in models too.
    hear.add_argument("--lang", help="language code (default: the kiosk's)")
    hear.add_argument(
        "--grammar", metavar="W1,W2,...", help="phrases to choose from, by commas"
    )
    hear.add_argument("--models-dir", type=Path, help="overrides [speech] models_dir")
    hear.add_argument("--json", action="store_true", help="machine-readable output")
    hear.set_defaults(handler=hear_command)

    say = subparsers.add_parser(
        "say", parents=list(parents), help="speak a sentence, or write it to a WAV"
    )
    say.add_argument(
        "text", help=f"at most {MAX_SPOKEN_CHARS} characters (longer text is refused)"
    )
    say.add_argument(
        "--lang", choices=LANGUAGES, help="language code (default: the kiosk's)"
    )
    say.add_argument("--out", type=Path, metavar="FILE.wav", help="write, don't play")
    say.add_argument(
        "--device",
        help="ALSA device to play on (default: [speech] output_device); "
        "for the headphones, [speech] headphones_device",
    )
    say.add_argument(
        "--gain-db",
        type=_gain_db,
        default=0.0,
        metavar="DB",
        help="level as the citizen's volume steps set it, -60 to 0 "
        "(default 0, the loudest: the level to calibrate the mixer with)",
    )
    say.set_defaults(handler=say_command)


def _gain_db(text: str) -> float:
    try:
        gain = float(text)
    except ValueError:
        gain = math.nan
    # Above 0 dB the samples would clip; NaN would silence everything.
    if not -60.0 <= gain <= 0.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a level from -60 to 0 dB")
    return gain


def hear_command(args: argparse.Namespace) -> int:
    """Print what the recogniser understands in the first utterance."""
    settings = load_settings(args.config, args.data_dir)
    speech = settings.speech
    if args.models_dir is not None:
        speech = replace(speech, models_dir=args.models_dir)
    language = args.lang or settings.kiosk.default_language
    grammar = None
    if args.grammar is not None:
        grammar = [p.strip() for p in args.grammar.split(",") if p.strip()]
    recognizer = build_recognizer(speech)
    try:
        if not recognizer.available(language):
            raise NoModelError(language, speech.models_dir)
        source = WavFileSource(args.wav)
        try:
            recognition = recognizer.start(language, grammar)
            heard = recognise(source, recognition, Endpointer(endpoint_config(speech)))
        finally:
            source.close()
    except SpeechError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        recognizer.close()
    _print_heard(heard, args.json)
    return EXIT_OK


def _print_heard(heard: Heard, as_json: bool) -> None:
    hypothesis = heard.hypothesis
    if as_json:
        document: dict[str, Any] = {
            "language": hypothesis.language,
            "text": hypothesis.text,
            "confidence": round(hypothesis.confidence, 3),
            "end": heard.reason.value,
            "speech_s": round(heard.speech_s, 2),
            "grammar": None if hypothesis.grammar is None else list(hypothesis.grammar),
            "words": [
                {
                    "word": w.text,
                    "confidence": round(w.confidence, 3),
                    "start_s": round(w.start_s, 2),
                    "end_s": round(w.end_s, 2),
                }
                for w in hypothesis.words
            ],
        }
        print(json.dumps(document, ensure_ascii=False))
        return
    if not hypothesis.text:
        print(f"(nothing understood; {heard.reason.value})")
        return
    print(
        f"{hypothesis.text}  (confidence {hypothesis.confidence:.2f}; "
        f"{heard.reason.value} after {heard.speech_s:.1f} s)"
    )
    for word in hypothesis.words:
        print(f"  {word.text}  {word.confidence:.2f}")


def say_command(args: argparse.Namespace) -> int:
    """Speak a sentence on the output device, or write it to a file."""
    settings = load_settings(args.config, args.data_dir)
    language = args.lang or settings.kiosk.default_language
    if not args.text.strip():
        print("kiosk: nothing to say", file=sys.stderr)
        return EXIT_USAGE
    try:
        args.text.encode("utf-8")
    except UnicodeEncodeError:
        # Bytes that are not UTF-8 reach Python as lone surrogates.
        print(
            "kiosk: the text is not valid UTF-8; check the terminal's encoding",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if len(args.text) > MAX_SPOKEN_CHARS:
        print(
            f"kiosk: the text has {len(args.text)} characters; at most "
            f"{MAX_SPOKEN_CHARS} are spoken at once",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.out is not None and (problem := _unwritable(args.out)):
        print(f"kiosk: cannot write {args.out}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    synthesiser = Pyttsx3Synthesiser()
    if args.out is not None:
        try:
            synthesiser.synthesise(args.text, language, args.out.absolute())
        except SpeechError as exc:
            print(f"kiosk: {exc}", file=sys.stderr)
            return EXIT_FAILED
        finally:
            synthesiser.close()
        print(f"{args.out}: {wav_duration_s(args.out):.2f} s of speech ({language})")
        return EXIT_OK
    player = AplayPlayer(args.device or settings.speech.output_device)
    speaker = TextToSpeech(synthesiser, player)
    speaker.set_gain_db(args.gain_db)
    speaker.set_rate_wpm(settings.speech.rate_wpm)
    try:
        speaker.speak(args.text, language)
        done = speaker.wait_idle(SAY_TIMEOUT_S)
    finally:
        speaker.close()
    if not done or speaker.failed or player.failures:
        print(
            f"kiosk: the sentence was not played on {player.device!r}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def _unwritable(path: Path) -> str | None:
    """Why a WAV cannot be written at path, or None if it can."""
    folder = path.absolute().parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if path.is_dir():
        return "it is a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable"
    return None
