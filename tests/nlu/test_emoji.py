from nlu.models.encoder import spell_out_emoji


def test_emoji_become_words_the_encoder_knows():
    assert spell_out_emoji("👍") == " thumbs up sign "
    assert spell_out_emoji("👋🏽") == " waving hand sign "  # the skin-tone modifier carries no intent
    assert spell_out_emoji("❤️🏕️") == " heavy black heart  camping "  # variation selectors dropped


def test_other_text_is_left_alone():
    assert spell_out_emoji("do you ship to canada?") == "do you ship to canada?"
    assert spell_out_emoji("¿Dónde está mi pedido? 30€ – ok") == "¿Dónde está mi pedido? 30€ – ok"


def test_distinct_emoji_give_distinct_encoder_inputs():
    from nlu.models.encoder import SplitEncoder

    encoder = SplitEncoder("minilm", split=-2)
    up, _ = encoder.bottom(["👍"])
    down, _ = encoder.bottom(["👎"])
    assert up.shape == down.shape  # "thumbs up sign" / "thumbs down sign": same length, different words
    assert not (up == down).all()  # before, both were one [UNK] token and identical
