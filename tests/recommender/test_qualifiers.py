import pytest

from recommender.engine import Recommender, Request
from recommender.qualifiers import Attributes, Qualifier, load_attributes, matched_tags
from tests.recommender.conftest import BRAND_DIR


@pytest.fixture(scope="module")
def attributes() -> Attributes:
    return load_attributes(BRAND_DIR / "attributes.yml")


def test_finds_each_need_named_in_the_request_as_whole_words(attributes):
    assert attributes.find("not those, I have wide feet") == (("wide-fit", "wide"),)
    assert attributes.find("what stove is best for winter camping above 3000m") == (
        ("extreme-cold", "multi-fuel", "winter", "cold-weather", "4-season", "-18C", "-30C", "insulated"),
        ("high-altitude", "expedition", "mountaineering", "alpine"),
    )
    assert attributes.find("do you sell sleeping bags") == ()
    assert attributes.find("a widescreen tablet") == ()  # "wide" only as a word


def test_matched_tags_names_the_best_tag_of_each_group_met():
    wants = (("wide-fit", "wide"), ("ultralight", "lightweight"))
    assert matched_tags(["running", "lightweight", "wide-fit"], wants) == ["wide-fit", "lightweight"]
    assert matched_tags(["running"], wants) == []


def test_describe_uses_the_brand_wording_else_the_tag(attributes):
    assert attributes.describe("-18C") == "rated for -18 °C"
    assert attributes.describe("trail-running") == "trail running"


def test_a_qualifier_without_tags_is_refused(tmp_path):
    path = tmp_path / "attributes.yml"
    path.write_text("qualifiers:\n  - words: [wide]\n")
    with pytest.raises(ValueError, match="qualifier #1 needs both"):
        load_attributes(path)
    assert load_attributes(tmp_path / "missing.yml") == Attributes()


def test_winter_altitude_stove_ranks_the_cold_weather_stove_first(minilm_recommender, attributes):
    text = "what stove is best for winter camping above 3000m"
    plain = minilm_recommender.recommend(Request(text, category="stove"))
    engine = Recommender(
        minilm_recommender.items, minilm_recommender.vectors, minilm_recommender.encoder, attributes=attributes
    )
    qualified = engine.recommend(Request(text, category="stove", wants=attributes.find(text)))
    assert plain[0].item.id != "stove-fuelflex-multifuel"  # text similarity alone gets it wrong
    assert [p.item.id for p in qualified] == ["stove-fuelflex-multifuel"]
    assert qualified[0].explanation == "Because it's multi-fuel, so it works in deep cold and expedition-grade."


def test_a_need_nothing_in_range_meets_leaves_the_ranking_to_similarity(minilm_recommender):
    wants = (Qualifier(("wide",), ("wide-fit",)).tags,)
    picks = minilm_recommender.recommend(Request("a tent for two", category="tent", wants=wants), k=3)
    assert len(picks) == 3 and all(p.item.category == "tent" for p in picks)


def test_words_inside_an_unless_phrase_do_not_name_the_need(attributes):
    lighter = ("ultralight", "lightweight", "packable")
    warmth = ("extreme-cold", "multi-fuel", "winter", "cold-weather", "4-season", "-18C", "-30C", "insulated")
    summer = ("summer", "hot-weather")
    assert attributes.find("boots for a long trek with a heavy pack") == ()
    assert attributes.find("my pack is too heavy, need something lighter") == (lighter,)
    assert attributes.find("a sleeping bag for warm nights") == (summer,)
    assert attributes.find("a warm sleeping bag for cold nights") == (warmth,)


def test_unless_is_read_from_the_brand_file(tmp_path):
    path = tmp_path / "attributes.yml"
    path.write_text("qualifiers:\n  - words: [warm]\n    tags: [winter]\n    unless: [warm weather]\n")
    [qualifier] = load_attributes(path).qualifiers
    assert qualifier == Qualifier(("warm",), ("winter",), ("warm weather",))
    assert not qualifier.named_in("gloves for WARM weather") and qualifier.named_in("warm gloves")
