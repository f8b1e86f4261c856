import pytest

from kiosk.catalog import Catalog, CatalogError
from kiosk.routing import DecisionKind, Router
from kiosk.routing.background import BackgroundRouter


def test_a_router_trained_in_the_background_routes_like_the_plain_one(
    catalog: Catalog, router: Router
) -> None:
    background = BackgroundRouter(catalog)
    text = "vreau să plătesc impozitul pe casă"
    decision = background.route(text, "ro")
    assert decision.kind is DecisionKind.CONFIRM
    assert decision.best is not None
    plain = router.route(text, "ro").best
    assert plain is not None
    assert decision.best.service.code == plain.service.code
    assert background.rank(text, "ro", limit=2)[0].service.code == "tax.payment_info"


def test_a_training_failure_reaches_the_first_caller(catalog: Catalog) -> None:
    services = [s for s in catalog if s.code != "general.info_desk"]
    incomplete = Catalog(catalog.departments, services)
    background = BackgroundRouter(incomplete)
    with pytest.raises(CatalogError, match="general.info_desk"):
        background.route("impozit", "ro")
