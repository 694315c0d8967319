"""Hostile uploads through the web workbench (issue 15): each refusal is one clear line that
names the file and says what was expected, the same line the command line prints; nothing is
stored; the validation page lists one line per problem."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, new_client, refresh_csrf

SMALL = (Path(__file__).parents[1] / "data" / "scenarios" / "small.yaml").read_text("utf-8")
BDM = "Actor,Capability,Position,Salience\n"
LAUGHS = (
    SMALL
    + '\nnotes: &n0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    + "".join(f"n{i}: &n{i} [{', '.join([f'*n{i - 1}'] * 10)}]\n" for i in range(1, 9))
)


@pytest.fixture
def fac(tmp_path: Path) -> Iterator[TestClient]:
    from accord.web import create_app

    app: FastAPI = create_app(f"sqlite:///{tmp_path / 'h.db'}")
    client = new_client(app)
    client.post("/api/setup", json={"username": "fac", "password": PASSWORD})
    refresh_csrf(client)
    yield client
    app.state.store.close()


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("arabic.csv", (BDM + "a,\u0661\u0662,4,0.5\nb,1,5,0.5\n").encode(), "arabic.csv:2"),
        ("under.csv", (BDM + "a,1_000,4,0.5\nb,1,5,0.5\n").encode(), "1_000"),
        ("one.csv", (BDM + "a,1,4,0.5\n").encode(), "one.csv"),
        (
            "huge.yaml",
            SMALL.replace(
                "capability: {value: 45,", "capability: {value: 1" + "0" * 5000 + ",", 1
            ).encode(),
            "5,001 characters",
        ),
        ("utf16.yaml", SMALL.encode("utf-16"), "UTF-8"),
        ("nul.yaml", SMALL.replace("title:", "title: a\x00b", 1).encode(), "nul.yaml"),
        ("deep.yaml", ("a: " + "[" * 100_000 + "]" * 100_000).encode(), "deep.yaml"),
        ("dtd.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DTD"),
    ],
)
def test_a_refused_upload_is_one_clear_line(
    fac: TestClient, name: str, data: bytes, needle: str
) -> None:
    before = fac.get("/library").text.count("/library/view?ref=")
    r = fac.post("/api/library/import", files={"file": (name, data, "text/plain")})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and "Traceback" not in detail
    assert name in detail and needle in detail and "(expected " in detail, detail
    assert fac.get("/library").text.count("/library/view?ref=") == before  # nothing stored


def test_an_alias_bomb_upload_is_a_413_in_one_line(fac: TestClient) -> None:
    r = fac.post("/api/library/import", files={"file": ("laughs.yaml", LAUGHS.encode(), "x")})
    assert r.status_code == 413
    assert "\n" not in r.json()["detail"] and "aliases" in r.json()["detail"]


def test_the_validation_page_lists_one_line_per_problem(fac: TestClient) -> None:
    text = SMALL.replace("capability: {value: 45,", "capability: {value: true,", 1)
    r = fac.post("/api/library/validate", json={"text": text})
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is False and body["problems"]
    for problem in body["problems"]:
        assert "\n" not in problem["message"] and "expected" in problem["message"]
        assert problem["line"]
