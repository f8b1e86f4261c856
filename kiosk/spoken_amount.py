"""Amounts in lei and bani as a voice should read them, per language.

The screen shows ``150,50 RON``; read aloud that comes out as "one hundred
fifty comma fifty R O N". Speech gets the amount in words around plain
numerals instead ("150 de lei și 50 de bani"), which espeak-ng reads
correctly in Romanian, Hungarian and English.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.i18n import N_

LEU_ONE = N_("{count} leu")
LEI_FEW = N_("{count} lei")
LEI_MANY = N_("{count} lei, twenty or more")
"""Only Romanian uses this form: "20 de lei", "150 de lei"."""
BAN_ONE = N_("{count} ban")
BANI_FEW = N_("{count} bani")
BANI_MANY = N_("{count} bani, twenty or more")
"""Only Romanian uses this form: "50 de bani"."""
LEI_AND_BANI = N_("{lei} and {bani}")


def _form(count: int, lang: str) -> int:
    """0 for one, 1 for a few, 2 for the Romanian "de" form (20 and up)."""
    if lang == "hu":
        # Hungarian keeps the noun singular after any numeral: "150 lej".
        return 1
    if count == 1:
        return 0
    if lang == "ro" and count and not 1 <= count % 100 <= 19:
        # Romanian links 20 and above with "de", unless the last two
        # digits are 1..19: "20 de lei", "101 lei", "115 lei".
        return 2
    return 1


def spoken_amount(amount_bani: int, gettext: Callable[[str], str], lang: str) -> str:
    """``amount_bani`` as words for the speaker: lei, then bani if any."""
    lei, bani = divmod(amount_bani, 100)
    lei_text = gettext((LEU_ONE, LEI_FEW, LEI_MANY)[_form(lei, lang)])
    bani_text = gettext((BAN_ONE, BANI_FEW, BANI_MANY)[_form(bani, lang)])
    if not bani:
        return lei_text.format(count=lei)
    if not lei:
        return bani_text.format(count=bani)
    return gettext(LEI_AND_BANI).format(
        lei=lei_text.format(count=lei), bani=bani_text.format(count=bani)
    )
