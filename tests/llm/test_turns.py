"""The model pass reserves requests in review order, whichever of its threads runs first."""

import threading
import time

from secreview.llm.run import _Turns


def test_threads_pass_in_turn_order_even_when_started_in_reverse():
    turns, order = _Turns(), []

    def worker(n):
        with turns.turn(n):
            order.append(n)

    threads = [threading.Thread(target=worker, args=(n,)) for n in (3, 2, 1, 0)]
    for t in threads:
        t.start()
        time.sleep(0.01)  # later turns are waiting before the first one arrives
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3]


def test_a_turn_that_fails_lets_the_next_one_through():
    turns, order = _Turns(), []

    def failing():
        try:
            with turns.turn(0):
                raise ValueError("boom")
        except ValueError:
            order.append("failed 0")

    def second():
        with turns.turn(1):
            order.append(1)

    t1 = threading.Thread(target=second)
    t1.start()
    failing()
    t1.join(5)
    assert not t1.is_alive() and order == ["failed 0", 1]
