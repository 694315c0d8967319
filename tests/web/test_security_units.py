"""Unit checks of accord.web.security: the time budget, the alias cap and safe redirects."""

from __future__ import annotations

import time

import pytest

from accord.web.security import BudgetExceededError, check_aliases, safe_next, within_budget


def test_a_call_over_its_time_budget_is_a_422() -> None:
    assert within_budget(lambda: 5, 2.0, "validation") == 5
    t0 = time.perf_counter()
    with pytest.raises(BudgetExceededError) as info:
        within_budget(lambda: time.sleep(1.0), 0.1, "validation")
    assert info.value.status == 422 and "longer than 0.1 s" in info.value.detail
    assert time.perf_counter() - t0 < 0.9


def test_the_alias_cap_scales_with_the_body() -> None:
    plain = "a: &x [1, 2, 3]\nb: *x\nc: *x\n"
    check_aliases(plain, 0)  # a few shared values: fine
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join(['*a' if i == 0 else f'*a{i - 1}'] * 10)}]\n" for i in range(4)
    )
    with pytest.raises(BudgetExceededError) as info:
        check_aliases(bomb, 1000)
    assert info.value.status == 413
    check_aliases(bomb, 10**6)  # a larger allowance admits it
    with pytest.raises(BudgetExceededError):
        check_aliases("a: &a [*a]\n", 10**6)  # recursive: endless


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/games/3", "/games/3"),
        ("/library/view?ref=lib%3A1", "/library/view?ref=lib%3A1"),
        ("/\\evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("/%2F/evil.example", "/"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected
