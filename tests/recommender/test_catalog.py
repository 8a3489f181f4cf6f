import pytest

from core.settings import PROJECT_ROOT
from recommender.catalog import ITEM_TYPES, CatalogError, load_catalog

BRAND_CATALOG = PROJECT_ROOT / "brand" / "catalog.yml"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(BRAND_CATALOG)


def test_demo_catalog_is_large_and_varied(catalog):
    assert len(catalog) >= 150
    types = {item.type for item in catalog}
    assert types == set(ITEM_TYPES)
    assert len(catalog.categories) >= 10


def test_every_product_has_price_and_url(catalog):
    for item in catalog:
        if item.type == "product":
            assert item.price is not None and item.price > 0, item.id
            assert item.url and item.url.startswith("https://"), item.id
        assert len(item.description.split()) >= 8, f"{item.id}: description too short to search"
        assert item.tags, item.id


def test_catalog_categories_match_the_nlu_synonyms(catalog):
    """Every product category must be reachable from the `product_type` entity values the NLU produces."""
    import yaml

    nlu = yaml.safe_load((PROJECT_ROOT / "data" / "nlu" / "catalog.yml").read_text())
    synonyms = {block["synonym"] for block in nlu["nlu"] if "synonym" in block}
    assert catalog.categories <= synonyms


def test_lookup_by_id(catalog):
    assert catalog.get("tent-ridgeline-2").title == "Ridgeline 2 Ultralight Tent"
    assert catalog.get("no-such-item") is None


def write(tmp_path, text):
    path = tmp_path / "catalog.yml"
    path.write_text(text)
    return path


ITEM = "  - {id: a, type: product, title: A, description: An item, price: 10, url: https://x.example/a}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("items: []\noops: [", "not valid YAML"),
        ("- just a list\n", "top-level 'items:'"),
        ("items:\n" + ITEM + ITEM, "duplicate item ids: a"),
        ("items:\n  - {id: b, type: gadget, title: B, description: d}\n", "type 'gadget'"),
        ("items:\n  - {id: c, type: product, title: C, description: d}\n", "products need a 'price'"),
        ("items:\n  - {id: d, type: guide, title: '', description: d}\n", "'title' is required"),
        ("items:\n  - {id: e, type: guide, title: E, description: d, url: ftp://x}\n", "'url' must start"),
        ("items:\n  - {id: f, type: guide, title: F, description: d, colour: red}\n", "unknown field(s) colour"),
        ("items:\n  - {id: g, type: product, title: G, description: d, price: -1}\n", "non-negative"),
    ],
)
def test_malformed_catalogs_name_the_problem(tmp_path, text, message):
    with pytest.raises(CatalogError, match=None) as error:
        load_catalog(write(tmp_path, text))
    assert message in str(error.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CatalogError, match="catalog file not found"):
        load_catalog(tmp_path / "nope.yml")
