"""The hard cases of catalog_notes section 2, in every kiosk language."""

import pytest

from kiosk.routing import DecisionKind
from tests.routing_helpers import shared_router

PARKING_SPLIT = [
    (
        "ro",
        "vreau sa contest procesul verbal de parcare, aveam tichet",
        "parking.fine_contest",
    ),
    (
        "hu",
        "Parkolási büntetést kaptam, pedig fizettem, fellebbeznék",
        "parking.fine_contest",
    ),
    (
        "en",
        "I want to appeal the parking ticket I got yesterday",
        "parking.fine_contest",
    ),
    ("ro", "unde pot achita amenda primită de la poliția locală", "tax.fine_payment"),
    ("hu", "Hol tudom kifizetni a bírságot?", "tax.fine_payment"),
    ("en", "Where can I pay the fine the local police gave me?", "tax.fine_payment"),
    (
        "ro",
        "mi-a ridicat mașina cu platforma, unde o recuperez",
        "vehicle.towed_recovery",
    ),
    ("hu", "Elvitték a kocsimat, hol kaphatom vissza?", "vehicle.towed_recovery"),
    ("en", "They towed my car, where can I get it back?", "vehicle.towed_recovery"),
    (
        "ro",
        "legitimatie de parcare pentru persoana cu dizabilitati",
        "parking.disabled_parking_card",
    ),
    (
        "hu",
        "Parkolókártyát szeretnék a mozgássérült férjemnek",
        "parking.disabled_parking_card",
    ),
    (
        "en",
        "How does my disabled wife get a parking card?",
        "parking.disabled_parking_card",
    ),
    (
        "ro",
        "cineva parchează zilnic pe locul meu plătit",
        "police.illegal_parking_report",
    ),
    ("hu", "Valaki mindig a fizetett helyemen parkol", "police.illegal_parking_report"),
    (
        "en",
        "Someone keeps parking in my paid residents' space",
        "police.illegal_parking_report",
    ),
]

SAME_TOPIC_OTHER_OFFICE = [
    (
        "ro",
        "vecinul ridică o construcție fără autorizație în curte",
        "police.construction_discipline",
    ),
    (
        "hu",
        "A szomszéd engedély nélkül épít egy garázst",
        "police.construction_discipline",
    ),
    (
        "en",
        "The neighbour is building a garage without any permit",
        "police.construction_discipline",
    ),
    ("ro", "cineva arde gunoaie în spatele blocului", "police.illegal_dumping"),
    ("hu", "Valaki szemetet éget a tömbház mögött", "police.illegal_dumping"),
    ("en", "Someone is burning rubbish behind our building", "police.illegal_dumping"),
    ("ro", "nu a trecut mașina de gunoi de zece zile", "sanitation.missed_collection"),
    ("hu", "Tíz napja nem jött a szemétszállító", "sanitation.missed_collection"),
    ("en", "The bin lorry hasn't come for ten days", "sanitation.missed_collection"),
    ("ro", "câini maidanezi latră toată noaptea în cartier", "animals.stray_dogs"),
    ("hu", "Kóbor kutyák falkája kóborol a negyedben", "animals.stray_dogs"),
    ("en", "A pack of stray dogs roams our neighbourhood", "animals.stray_dogs"),
    ("ro", "sterilizare gratuita pentru catelul meu", "animals.pet_sterilization"),
    ("hu", "Ingyen ivartalanítanám a kutyámat", "animals.pet_sterilization"),
    ("en", "Can I get my cat neutered for free?", "animals.pet_sterilization"),
    (
        "ro",
        "reducere la impozitul pe casă pentru handicap grav",
        "tax.exemption_reduction",
    ),
    (
        "hu",
        "Adókedvezményt kérek a házadóból fogyatékosság miatt",
        "tax.exemption_reduction",
    ),
    (
        "en",
        "Tax reduction on my house because of my disability",
        "tax.exemption_reduction",
    ),
    (
        "ro",
        "autorizație pentru tarabă de flori pe stradă",
        "commerce.street_trading_public_domain",
    ),
    (
        "en",
        "Permit to sell flowers from a stall in the street",
        "commerce.street_trading_public_domain",
    ),
    ("ro", "vânzători ilegali pe trotuar fără autorizație", "police.commerce_control"),
    ("en", "Illegal vendors selling on the pavement", "police.commerce_control"),
    (
        "ro",
        "copie după autorizația de construire din 1980 din arhivă",
        "archive.document_copy",
    ),
    (
        "en",
        "Copy of the original 1975 building permit from the archive",
        "archive.document_copy",
    ),
]

OUT_OF_SCOPE = [
    ("ro", "vreau să-mi fac pașaport", "external.state_documents"),
    ("hu", "Jogosítványt szeretnék cserélni", "external.state_documents"),
    ("en", "I need to renew my passport", "external.state_documents"),
    ("ro", "nu avem apă caldă de ieri în bloc", "external.utilities"),
    ("hu", "Nincs víz a lakásban tegnap óta", "external.utilities"),
    ("en", "There is no water in our flat since yesterday", "external.utilities"),
    ("ro", "declarația unică pentru impozitul pe venit", "external.anaf"),
    ("hu", "Hol adom be a jövedelemadó-bevallást?", "external.anaf"),
    ("en", "Where do I file my income tax return?", "external.anaf"),
]


@pytest.mark.parametrize(("lang", "text", "expected"), PARKING_SPLIT)
def test_parking_matters_go_to_the_body_that_handles_them(
    lang: str, text: str, expected: str
) -> None:
    assert shared_router().route(text, lang).ranking[0].service.code == expected


@pytest.mark.parametrize(("lang", "text", "expected"), SAME_TOPIC_OTHER_OFFICE)
def test_same_topic_goes_to_the_office_that_handles_that_side(
    lang: str, text: str, expected: str
) -> None:
    decision = shared_router().route(text, lang)
    assert decision.best is not None
    assert decision.best.service.code == expected


@pytest.mark.parametrize(("lang", "text", "expected"), OUT_OF_SCOPE)
def test_matters_of_other_institutions_say_who_handles_them(
    lang: str, text: str, expected: str
) -> None:
    decision = shared_router().route(text, lang)
    assert decision.kind is DecisionKind.EXTERNAL
    assert decision.best is not None
    assert decision.best.service.code == expected
    assert decision.prompt is not None
    assert decision.prompt[lang]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ro", "Am venit pentru o problemă"),
        ("ro", "aș vrea să fac o reclamație"),
        ("hu", "Gondom van, segítene?"),
        ("hu", "Panaszt szeretnék tenni"),
        ("en", "I have a problem"),
        ("en", "I would like to make a complaint"),
    ],
)
def test_vague_requests_get_one_clarifying_question(lang: str, text: str) -> None:
    decision = shared_router().route(text, lang)
    assert decision.kind is DecisionKind.CLARIFY
    assert decision.best is not None
    assert decision.best.service.code == "general.info_desk"
    assert decision.prompt is not None
    assert decision.prompt[lang].count("?") == 1


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ro", "sdfkjh wqeoiu"),
        ("ro", "sunteți niște proști toți"),
        ("hu", "qwertzuiop asdfg"),
        ("hu", "Mind hülyék vagytok itt"),
        ("en", "zxcvbnm lkjhg"),
        ("en", "you are all a bunch of idiots"),
        ("en", ""),
        ("en", "🙂🙂🙂"),
        ("ro", "....!!!"),
    ],
)
def test_gibberish_and_abuse_are_never_filed(lang: str, text: str) -> None:
    decision = shared_router().route(text, lang)
    assert decision.kind is DecisionKind.REPROMPT
    assert decision.service is None
    assert decision.prompt is not None


@pytest.mark.parametrize(
    ("lang", "text", "first", "second"),
    [
        (
            "ro",
            "vreau să plătesc impozitul pe mașină și să cer un loc de parcare la bloc",
            "tax.payment_info",
            "parking.resident_permit_application",
        ),
        (
            "hu",
            "Lejárt a személyim, és ideiglenes lakcímet is szeretnék bejegyeztetni",
            "id.identity_card",
            "id.residence_visa",
        ),
        (
            "en",
            "I need a new ID card and also want to pay my property tax",
            "id.identity_card",
            "tax.payment_info",
        ),
    ],
)
def test_two_topics_file_the_first_and_offer_the_second(
    lang: str, text: str, first: str, second: str
) -> None:
    decision = shared_router().route(text, lang)
    assert decision.kind is DecisionKind.CONFIRM
    assert decision.service is not None
    assert decision.service.code == first
    assert decision.secondary is not None
    assert decision.secondary.code == second


def test_single_topic_with_a_conjunction_has_no_secondary() -> None:
    decision = shared_router().route(
        "Mama are handicap grav și vreau să fiu asistentul ei personal", "ro"
    )
    assert decision.service is not None
    assert decision.service.code == "social.disability_support"
    assert decision.secondary is None
