import pytest

from bot.chat import main, render, send


def test_render_lists_buttons():
    reply = {"text": "Want a person?", "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No"}]}
    assert render(reply) == "Want a person?\n   [1] Yes\n   [2] No"


def test_send_to_a_closed_port_is_a_clear_error():
    with pytest.raises(ConnectionError, match="Is `make run` running"):
        send("http://127.0.0.1:9", "u1", "hi", timeout=2)


def test_main_exits_cleanly_on_eof(monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda _: (_ for _ in ()).throw(EOFError))
    assert main(["--url", "http://127.0.0.1:9"]) == 0
    assert "Chatting as terminal-" in capsys.readouterr().out
