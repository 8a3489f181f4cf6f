from console.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_account_locks_after_its_failures_and_unlocks_after_the_window():
    clock = Clock()
    throttle = LoginThrottle(per_account=3, per_address=100, window_s=600, clock=clock)
    assert [throttle.begin("sam@brand.example", "10.0.0.1") for _ in range(3)] == [0, 0, 0]  # three failed tries
    assert throttle.begin("sam@brand.example", "10.0.0.2") == 600  # from any address
    assert throttle.begin("jo@brand.example", "10.0.0.1") == 0  # other accounts are not locked
    clock.now += 601
    assert throttle.begin("sam@brand.example", "10.0.0.1") == 0


def test_an_address_is_limited_across_accounts():
    throttle = LoginThrottle(per_account=100, per_address=2, window_s=60, clock=Clock())
    assert (throttle.begin("a@x.example", "10.0.0.9"), throttle.begin("b@x.example", "10.0.0.9")) == (0, 0)
    assert throttle.begin("c@x.example", "10.0.0.9") == 60
    assert throttle.begin("c@x.example", "10.0.0.8") == 0


def test_a_success_is_not_counted_as_a_failure():
    throttle = LoginThrottle(per_account=2, per_address=3, window_s=60, clock=Clock())
    assert throttle.begin("sam@x.example", "10.0.0.1") == 0
    throttle.succeeded("SAM@x.example ", "10.0.0.1")
    assert throttle.begin("sam@x.example", "10.0.0.1") == 0  # one failure counted
    assert throttle.begin("sam@x.example", "10.0.0.1") == 0  # two: the account's allowance
    assert throttle.begin("sam@x.example", "10.0.0.2") == 60
