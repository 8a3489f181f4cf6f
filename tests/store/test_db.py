from store.db import POSTGRES_CONNECT_TIMEOUT_S, connect_args


def test_postgres_connections_give_up_instead_of_hanging():
    """An unreachable PostgreSQL must fail within seconds: the broker would otherwise stall every conversation."""
    assert connect_args("postgresql+psycopg2://parley@10.0.0.1/parley") == {
        "connect_timeout": POSTGRES_CONNECT_TIMEOUT_S
    }
    # a timeout the user put in the URL wins
    assert connect_args("postgresql+psycopg2://parley@10.0.0.1/parley?connect_timeout=1") == {}
    assert connect_args("sqlite:///var/parley.db") == {"timeout": 15}
