"""Building each screen's view from the draft: the prompts and the buttons.

Every screen has one prompt (:data:`PROMPTS`), filled in with the service,
department, ticket, amount or reference it names; the category, service and
choice screens also get their buttons. The result is a :class:`View` in the
citizen's language, ready to show and to say.
"""

from __future__ import annotations

from kiosk.catalog import Catalog, Service
from kiosk.categories import categories
from kiosk.draft import Draft
from kiosk.i18n import N_, translations
from kiosk.payments.amounts import format_amount
from kiosk.payments.receipt import payment_receipt_lines
from kiosk.spoken_amount import spoken_amount
from kiosk.view_model import Choice, Screen, View

PRINTER_DOWN = N_(
    "The printer is not working. Your request is filed. Please write "
    "down the ticket number, or take a photo of it."
)
FEE_VARIES = N_(
    "The fee depends on your case. It cannot be paid by card here. "
    "The department will tell you how to pay it."
)
PROMPTS: dict[Screen, str] = {
    Screen.ATTRACT: N_("Touch the screen to start"),
    Screen.LANGUAGE: N_("Choose your language"),
    Screen.DESCRIBE: N_("Tell us what you need, in your own words."),
    Screen.CATEGORIES: N_("Choose a category"),
    Screen.SERVICES: N_("Choose what you need"),
    Screen.PROPOSAL: N_("We will send this to {department}: {service}. Is this right?"),
    Screen.CHOICES: N_("Which of these do you need?"),
    Screen.EXTERNAL: N_(
        "This is not handled by the city hall: {service}. Please contact the "
        "institution in charge."
    ),
    Screen.CONTACT: N_(
        "Do you want an answer? Leave a phone number or an e-mail address. "
        "This is optional."
    ),
    Screen.SUMMARY: N_("Please check: {service}, handled by {department}. Send it?"),
    Screen.FILING: N_("Saving your request..."),
    Screen.DONE: N_("Your request is filed. Your ticket number is {ticket}."),
    Screen.PAY_OFFER: N_(
        "Your request is filed. Your ticket number is {ticket}. The fee is "
        "{amount}: do you want to pay it now by card?"
    ),
    Screen.PAY_REFERENCE: N_(
        "Type the payment reference from your notice. "
        "Or hold its QR code up to the camera."
    ),
    Screen.PAY_AMOUNT: N_(
        "The notice {reference} does not say the amount. Type the amount to "
        "pay, in lei."
    ),
    Screen.PAY_CONFIRM: N_("Pay {amount} for {reference} by card?"),
    Screen.PAYING: N_(
        "To pay {amount}, present your card to the card terminal. Follow its "
        "instructions."
    ),
    Screen.PAID: N_("Payment received for {reference}. Take your receipt."),
}
_PAYMENT_CHECKED = N_("Your payment for {reference} is being checked.")
PAY_SCREENS = (
    Screen.PAY_OFFER,
    Screen.PAY_AMOUNT,
    Screen.PAY_CONFIRM,
    Screen.PAYING,
    Screen.PAID,
)
"""Screens whose prompt names the amount, the reference or the ticket."""


class Views:
    """Builds the views of one kiosk's screens from a citizen's draft."""

    def __init__(self, catalog: Catalog, *, payments: bool) -> None:
        self.catalog = catalog
        self.payments = payments
        """The kiosk takes card payments (its views offer paying)."""
        self.categories = {c.group: c for c in categories(catalog)}
        """The category tiles, by group."""

    def attract(self, language: str) -> View:
        """The attract screen, waiting for the next citizen."""
        return View(
            Screen.ATTRACT,
            language,
            translations(language).gettext("Touch the screen to start"),
        )

    def category_services(self, draft: Draft) -> tuple[Service, ...]:
        """The services of the category the citizen opened, if any."""
        category = self.categories.get(draft.category or "")
        return category.services if category else ()

    def build(
        self,
        draft: Draft,
        screen: Screen,
        message: str | None,
        ticket: str | None,
        printed: bool,
    ) -> View:
        """The view of ``screen`` for this draft, with an optional message."""
        _ = translations(draft.language).gettext
        lang = draft.language
        choices: tuple[Choice, ...] = ()
        service_name = draft.service.name(lang) if draft.service else ""
        prompt = PROMPTS[screen]
        if screen is Screen.CATEGORIES:
            choices = tuple(
                Choice(c.group, _(c.label)) for c in self.categories.values()
            )
        elif screen is Screen.SERVICES:
            choices = tuple(
                self._service_choice(s, lang) for s in self.category_services(draft)
            )
        elif screen in (Screen.CHOICES, Screen.PROPOSAL):
            choices = tuple(self._service_choice(s, lang) for s in draft.alternatives)
        elif screen is Screen.DONE and draft.secondary is not None:
            choices = (self._service_choice(draft.secondary, lang),)
        text = _(prompt)
        if (
            screen in (Screen.PROPOSAL, Screen.EXTERNAL, Screen.SUMMARY)
            and draft.service
        ):
            department = self.catalog.department(draft.service.department).name(lang)
            text = text.format(service=service_name, department=department)
        if screen is Screen.DONE and ticket:
            text = text.format(ticket=ticket)
            if draft.fee_varies:
                text = f"{text} {_(FEE_VARIES)}"
        if screen is Screen.PAY_OFFER:
            ticket, printed = draft.ticket, draft.printed
        if screen is Screen.PAID and draft.payment is None:
            text = _(_PAYMENT_CHECKED)
        bani = draft.quote.amount_bani if draft.quote else None
        reference = draft.notice.reference if draft.notice else ""
        if screen in PAY_SCREENS:
            amount = format_amount(bani) if bani else ""
            text = text.format(ticket=draft.ticket, amount=amount, reference=reference)
        lines: tuple[tuple[str, str], ...] = ()
        if draft.payment is not None and screen in (Screen.DONE, Screen.PAID):
            lines = payment_receipt_lines(draft.payment, lang)
            bani = draft.payment.amount_bani
        return View(
            screen=screen,
            language=lang,
            prompt=text,
            message=message,
            text=draft.text,
            choices=choices,
            phone=draft.phone,
            email=draft.email,
            consent=draft.consent,
            ticket=ticket,
            printed=printed,
            amount=format_amount(bani) if bani else "",
            amount_words=spoken_amount(bani, _, lang) if bani else "",
            reference=reference,
            entry=draft.amount_entry
            if screen is Screen.PAY_AMOUNT
            else draft.reference_entry,
            payment_lines=lines,
            payments=self.payments,
        )

    def _service_choice(self, service: Service, lang: str) -> Choice:
        department = self.catalog.department(service.department).name(lang)
        return Choice(service.code, service.name(lang), department)
