"""The plain-argument checks every layer uses: nothing is coerced, everything is named."""

import numpy as np
import pytest

from catlearn.arguments import flag, real, size, whole
from catlearn.errors import ArgumentTypeError, ArgumentValueError


@pytest.mark.parametrize("value", [3, np.int64(3), np.uint8(3)])
def test_integers_of_any_width_are_whole(value):
    assert whole(value, "n") == 3 and type(whole(value, "n")) is int


@pytest.mark.parametrize(
    "value, error, message",
    [
        (2.7, ArgumentTypeError, "n: expected an integer, got float 2.7"),
        (2.0, ArgumentTypeError, "got float 2.0"),  # a float is refused even when whole
        (True, ArgumentTypeError, "got bool True"),
        ("2", ArgumentTypeError, "got str '2'"),
        (np.bool_(True), ArgumentTypeError, "got bool"),
        (-1, ArgumentValueError, r"expected an integer in 0\.\.9, got -1"),
        (10, ArgumentValueError, r"expected an integer in 0\.\.9, got 10"),
    ],
)
def test_whole_refuses(value, error, message):
    with pytest.raises(error, match=message):
        whole(value, "n", least=0, most=9)


@pytest.mark.parametrize(
    "value, message",
    [(0, "ob: a size is an int ≥ 1, got 0"), (2.5, "ob: a size is an int, got float 2.5")],
)
def test_size_refuses(value, message):
    with pytest.raises((ArgumentTypeError, ArgumentValueError), match=message):
        size(value, "ob")


@pytest.mark.parametrize(
    "value, kwargs, error, message",
    [
        (float("nan"), {}, ArgumentValueError, "w: expected a finite number, got nan"),
        (float("inf"), {}, ArgumentValueError, "got inf"),
        (10**400, {}, ArgumentValueError, "w: expected a finite number"),  # float() overflows
        (-0.5, {"non_negative": True}, ArgumentValueError, "≥ 0, got -0.5"),
        (0.0, {"positive": True}, ArgumentValueError, "> 0, got 0.0"),
        (1j, {}, ArgumentTypeError, "expected a real number, got complex"),
        ("1", {}, ArgumentTypeError, "expected a real number, got str"),
        (False, {}, ArgumentTypeError, "expected a real number, got bool"),
    ],
)
def test_real_refuses(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        real(value, "w", **kwargs)


def test_real_and_flag_accept_what_they_should():
    assert real(np.float32(0.5), "w") == 0.5 and real(3, "w") == 3.0
    assert flag(np.bool_(True), "f") is True and flag(0, "f") is False
    with pytest.raises(ArgumentTypeError, match="f: expected True or False, got 2"):
        flag(2, "f")
