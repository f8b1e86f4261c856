"""What goes into the session and what comes out of it.

Events are the citizen's touches and words, the clock and the workers'
answers; effects are what the UI carries out (show, say, file). The card
payment events and effects live in kiosk.payment_flow and are part of the
same unions.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.filing import FilingResult
from kiosk.payment_flow import PaymentEffect, PaymentEvent
from kiosk.store import NewRequest
from kiosk.view_model import View

# Events -------------------------------------------------------------------


@dataclass(frozen=True)
class Wake:
    """The citizen touched the attract screen or stepped up to the kiosk."""


@dataclass(frozen=True)
class ChooseLanguage:
    """A language button was pressed."""

    language: str


@dataclass(frozen=True)
class SubmitText:
    """The citizen finished describing their request."""

    text: str


@dataclass(frozen=True)
class OpenCategories:
    """The citizen asked for the category tiles instead of typing."""


@dataclass(frozen=True)
class ChooseCategory:
    """A category tile was pressed."""

    group: str


@dataclass(frozen=True)
class ChooseService:
    """A service was picked from a list."""

    code: str


@dataclass(frozen=True)
class ConfirmProposal:
    """The citizen says yes to the router's proposal."""


@dataclass(frozen=True)
class RejectProposal:
    """The citizen says no to the router's proposal."""


@dataclass(frozen=True)
class SubmitContact:
    """Contact details and consent, as entered (both fields may be empty)."""

    phone: str
    email: str
    consent: bool


@dataclass(frozen=True)
class SkipContact:
    """The citizen leaves no contact details."""


@dataclass(frozen=True)
class ConfirmSummary:
    """The citizen presses send on the summary screen."""


@dataclass(frozen=True)
class Filed:
    """The worker stored the request (and tried to print its receipt)."""

    result: FilingResult


@dataclass(frozen=True)
class FilingFailed:
    """The worker could not store the request; nothing was filed."""

    reason: str
    """Untranslated sentence for the citizen (see kiosk.i18n.N_)."""


@dataclass(frozen=True)
class Back:
    """The back button."""


@dataclass(frozen=True)
class StartOver:
    """The citizen wants to start again (or walks away from the done screen)."""


@dataclass(frozen=True)
class MoreTime:
    """The citizen asks for more time on the idle warning."""


@dataclass(frozen=True)
class Tick:
    """Time passed; sent by a timer about once a second."""


@dataclass(frozen=True)
class SpeechHeard:
    """The recogniser understood these words; the screen decides what they mean."""

    text: str


Event = (
    Wake
    | ChooseLanguage
    | SubmitText
    | OpenCategories
    | ChooseCategory
    | ChooseService
    | ConfirmProposal
    | RejectProposal
    | SubmitContact
    | SkipContact
    | ConfirmSummary
    | Filed
    | FilingFailed
    | Back
    | StartOver
    | MoreTime
    | Tick
    | SpeechHeard
    | PaymentEvent
)

# Effects ------------------------------------------------------------------


@dataclass(frozen=True)
class Show:
    """Render this view."""

    view: View


@dataclass(frozen=True)
class Say:
    """Speak this sentence in this language (replacing any speech)."""

    text: str
    language: str
    more: tuple[tuple[str, str], ...] = ()
    """(text, language) of sentences said right after, in this order."""


@dataclass(frozen=True)
class FileRequest:
    """Store the request durably and print its receipt, off the UI thread.

    The outcome comes back as a Filed or FilingFailed event.
    """

    request: NewRequest


Effect = Show | Say | FileRequest | PaymentEffect
