"""The sentences the kiosk says for a screen, worded for the ear.

A screen's speech starts from its prompt and message, and adds what a
citizen who cannot see the screen also needs: the filed request and its
ticket sign by sign, the choices read out, amounts in lei and bani instead
of ``150,50 RON``, references spelt out, and how to move with the keypad.
The language screen is said in every kiosk language.
"""

from __future__ import annotations

from kiosk.accessibility import spell_ticket, spoken_view
from kiosk.catalog import Catalog
from kiosk.config import LANGUAGES
from kiosk.draft import Draft
from kiosk.i18n import N_, translations
from kiosk.payment_flow import paid_message
from kiosk.payments.journal import Payment
from kiosk.spoken_amount import spoken_amount
from kiosk.view_model import Screen, View
from kiosk.views import PAY_SCREENS, PROMPTS

PAID_NOTICE = N_("You paid {amount} for the notice {reference}.")
PAID_FEE = N_("You paid {amount} for {service}.")


def spoken(view: View, draft: Draft, catalog: Catalog, hint: bool = False) -> str:
    """The sentence said for a view: its prompt, with more for the ear.

    ``hint`` adds how to move with the keypad (always on the language
    screen, and when the citizen asks for the screen to be read again).
    """
    _ = translations(draft.language).gettext
    text = view.prompt
    service = draft.service
    if view.screen is Screen.DONE and view.ticket and service is not None:
        lang = view.language
        department = catalog.department(service.department).name(lang)
        # Spelt out sign by sign: "A 0 0 0 4 2", never "forty-two".
        ticket = " ".join(ch for ch in view.ticket if ch.isalnum())
        text = _(
            "Your request is filed: {service}, handled by {department}. "
            "Your ticket number is {ticket}."
        ).format(service=service.name(lang), department=department, ticket=ticket)
    elif view.screen is Screen.CHOICES and view.choices:
        text = f"{text} " + "; ".join(c.label for c in view.choices) + "."
    text, message = _payment_speech(view, draft, text)
    # The rest is what a citizen who cannot see the screen also needs:
    # to take the receipt, and how to move with the keypad.
    return spoken_view(
        text,
        message,
        _,
        printed=view.printed and view.screen is Screen.DONE,
        hint=hint or view.screen is Screen.LANGUAGE,
    )


def spoken_parts(
    view: View, draft: Draft, catalog: Catalog, hint: bool = False
) -> tuple[tuple[str, str], ...]:
    """(text, language) of the sentences said for a view, in order.

    The language screen is said in every kiosk language, each in its own
    voice, the citizen's first: whoever stands there may not understand
    the default one. Every other screen is one sentence.
    """
    first = (spoken(view, draft, catalog, hint), view.language)
    if view.screen is not Screen.LANGUAGE:
        return (first,)
    others = tuple(
        (
            spoken_view(
                translations(lang).gettext(PROMPTS[Screen.LANGUAGE]),
                None,
                translations(lang).gettext,
                hint=True,
            ),
            lang,
        )
        for lang in LANGUAGES
        if lang != view.language
    )
    return (first, *others)


def _payment_speech(view: View, draft: Draft, text: str) -> tuple[str, str | None]:
    """Prompt and message of a payment screen, worded for the ear.

    The screen shows ``150,50 RON`` and ``**** 0119``; a voice gets the
    amount in lei and bani, references sign by sign, and, once paid,
    what was paid and how much (the card and the time are on paper).
    """
    message = view.message
    if view.screen not in (*PAY_SCREENS, Screen.DONE) or not view.amount:
        return text, message
    lang = view.language
    payment = draft.payment if view.screen in (Screen.DONE, Screen.PAID) else None
    if payment is not None and message:
        shown = paid_message(payment, lang)
        message = message.replace(shown, _paid_speech(payment, draft))
    swaps = {view.amount: view.amount_words}
    if view.reference:
        swaps[view.reference] = spell_ticket(view.reference)
    if view.ticket and view.screen is Screen.PAY_OFFER:
        swaps[view.ticket] = spell_ticket(view.ticket)
    for shown_text, said in swaps.items():
        text = text.replace(shown_text, said)
        message = message.replace(shown_text, said) if message else message
    return text, message


def _paid_speech(payment: Payment, draft: Draft) -> str:
    lang = draft.language
    _ = translations(lang).gettext
    amount = spoken_amount(payment.amount_bani, _, lang)
    notice = draft.notice
    if notice is not None:
        return _(PAID_NOTICE).format(
            amount=amount, reference=spell_ticket(notice.reference)
        )
    service = draft.service
    name = service.name(lang) if service else ""
    return _(PAID_FEE).format(amount=amount, service=name)
