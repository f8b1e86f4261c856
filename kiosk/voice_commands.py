"""What the citizen may say on each screen, and the event each phrase means.

A screen understands the labels of its own buttons (what the citizen reads
is what the kiosk hears), the language's yes and no where a button answers
a question, its choices, "Back" and "Start over". The describe screen also
takes free dictation: anything else said there is the request itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from kiosk.config import LANGUAGES
from kiosk.events import (
    Back,
    ChooseCategory,
    ChooseLanguage,
    ChooseService,
    ConfirmProposal,
    ConfirmSummary,
    Event,
    MoreTime,
    OpenCategories,
    RejectProposal,
    SkipContact,
    StartOver,
    SubmitText,
)
from kiosk.i18n import N_
from kiosk.textnorm import fold
from kiosk.view_model import Screen, View
from kiosk.voice import LANGUAGE_WORDS, YesNo, spoken_form

SPOKEN_BUTTONS: dict[Screen, tuple[tuple[str, str, Event], ...]] = {
    Screen.PROPOSAL: (
        (N_("Yes"), "yes", ConfirmProposal()),
        (N_("No, something else"), "no", RejectProposal()),
    ),
    Screen.CONTACT: ((N_("Continue without"), "no", SkipContact()),),
    Screen.SUMMARY: ((N_("Send"), "yes", ConfirmSummary()),),
    Screen.DONE: ((N_("Finish"), "", StartOver()),),
    Screen.DESCRIBE: ((N_("Choose from categories"), "", OpenCategories()),),
    Screen.CHOICES: ((N_("None of these: show all categories"), "", OpenCategories()),),
}
"""The buttons of each screen that can be said: label, answer words, event.

The labels are the buttons' own texts, so what the citizen reads is what
the kiosk understands; "yes" and "no" add that language's answer words.
"""


def takes_dictation(view: View) -> bool:
    """True where anything said is the citizen's request (the describe screen)."""
    return view.screen is Screen.DESCRIBE and view.idle_countdown_s is None


def voice_commands(
    view: View, yes_no: Mapping[str, YesNo], gettext: Callable[[str], str]
) -> dict[str, Event]:
    """Each phrase the screen understands, with the event it stands for.

    ``yes_no`` holds each language's spoken answer words; ``gettext`` is the
    citizen's language, in which the buttons' labels are heard.
    """
    _ = gettext
    words = yes_no.get(view.language, YesNo())
    commands: dict[str, Event] = {}

    def add(phrases: tuple[str, ...] | list[str], event: Event) -> None:
        for phrase in phrases:
            if spoken := spoken_form(phrase):
                commands.setdefault(spoken, event)

    screen = view.screen
    if screen in (Screen.ATTRACT, Screen.FILING):
        return commands
    if view.idle_countdown_s is not None:
        add([_("Yes, more time"), *words.yes], MoreTime())
        return commands
    if screen is Screen.LANGUAGE:
        for lang in LANGUAGES:
            add(list(LANGUAGE_WORDS.get(lang, ())), ChooseLanguage(lang))
    for label, answer, event in SPOKEN_BUTTONS.get(screen, ()):
        extra = {"yes": words.yes, "no": words.no}.get(answer, ())
        add([_(label), *extra], event)
    for choice in view.choices:
        if screen is Screen.CATEGORIES:
            add([choice.label], ChooseCategory(choice.key))
        else:
            add([choice.label], ChooseService(choice.key))
    if screen not in (Screen.LANGUAGE, Screen.DONE):
        add([_("Back")], Back())
    add([_("Start over")], StartOver())
    return commands


def heard(
    text: str, view: View, yes_no: Mapping[str, YesNo], gettext: Callable[[str], str]
) -> Event | None:
    """The event the recognised words stand for here; None if they mean nothing."""
    folded = fold(text)
    if not folded:
        return None
    for phrase, event in voice_commands(view, yes_no, gettext).items():
        if fold(phrase) == folded:
            return event
    return SubmitText(text) if takes_dictation(view) else None
