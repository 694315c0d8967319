"""Expert panels in the web workbench (a Delphi exercise): the data access and the rules.

A facilitator opens a panel on a snapshot of a library scenario (some of its issues) and invites
experts by one-time link. Each expert fills the template's rows (:mod:`accord.panel.rows`)
and sees only their own answers while a round is open. When the facilitator closes a round,
every expert sees the anonymised group median and spread of each cell; a next round lets them
revise, with a note. Saving merges each expert's latest answers (a later round over an earlier
one, cell by cell) with :func:`accord.panel.merge.merge_panel` and stores the merged scenario as
a new library entry. Every answer is one committed row (``panel_answers``), written before the
request that carried it is answered.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accord.errors import UsageError
from accord.panel.rows import Row, template_rows
from accord.panel.sheets import Answer, Panel, _Checker
from accord.runs.panel_models import PanelAnswer, PanelExpert, PanelPanel
from accord.scenario.schema import Scenario
from accord.web.db import WebStore, now, token_hash

CELL_FIELDS = ("position", "salience", "capability", "confidence", "note")


@dataclass(frozen=True)
class PanelRecord:
    """A stored panel: its scenario snapshot, issues, round and state."""

    id: int
    title: str
    scenario_ref: str
    scenario_text: str
    issues: list[str]
    facilitator_id: int
    round: int
    state: str
    library_id: int | None


@dataclass(frozen=True)
class ExpertRecord:
    """An expert invited to a panel, and the account that joined as it."""

    id: int
    label: str
    joined: bool
    user_id: int | None


def _record(row: PanelPanel) -> PanelRecord:
    return PanelRecord(
        row.id,
        row.title,
        row.scenario_ref,
        row.scenario_text,
        list(json.loads(row.issues)),
        row.facilitator_id,
        row.round,
        row.state,
        row.library_id,
    )


def load_scenario(text: str, source: str) -> Scenario:
    """The one scenario of a YAML text; ``UsageError`` when it holds several."""
    from accord.scenario.io import loads

    found = loads(text, source)
    if len(found) != 1:
        raise UsageError("the scenario file holds several scenarios", expected="one scenario")
    return found[0]


def cell_key(actor: str, issue: str, dimension: str) -> str:
    """The key of one answered cell, ``"ACTOR|ISSUE|DIMENSION"``."""
    return f"{actor}|{issue}|{dimension}"


class PanelService:
    """The panel tables on top of the web store."""

    def __init__(self, store: WebStore) -> None:
        self.store = store
        # parsed snapshots by text hash: a large scenario takes about a second to parse
        self._parsed: dict[str, Scenario] = {}

    # ------------------------------------------------------------------ panels

    def create(
        self,
        title: str,
        scenario_ref: str,
        text: str,
        source: str,
        issues: list[str],
        user_id: int,
    ) -> int:
        """Create a panel (round 1, open) on a snapshot of ``text`` and return its id."""
        scenario = load_scenario(text, source)
        self._parsed[hashlib.sha256(text.encode("utf-8")).hexdigest()] = scenario
        from accord.panel.rows import select_issues

        chosen = select_issues(scenario, issues)
        with self.store.write() as session:
            row = PanelPanel(
                title=title,
                scenario_ref=scenario_ref,
                scenario_text=text,
                issues=json.dumps(chosen),
                facilitator_id=user_id,
                round=1,
                state="open",
                library_id=None,
                created_at=now(),
            )
            session.add(row)
            session.flush()
            return int(row.id)

    def panel(self, panel_id: int) -> PanelRecord | None:
        """The panel ``panel_id``, or ``None``."""
        with self.store.read() as session:
            row = session.get(PanelPanel, panel_id)
            return None if row is None else _record(row)

    def panels(self) -> list[PanelRecord]:
        """Every panel, in id order."""
        with self.store.read() as session:
            return [_record(r) for r in session.scalars(select(PanelPanel).order_by(PanelPanel.id))]

    def panels_of(self, user_id: int) -> list[PanelRecord]:
        """The panels ``user_id`` has joined as an expert."""
        with self.store.read() as session:
            ids = session.scalars(
                select(PanelExpert.panel_id).where(PanelExpert.user_id == user_id)
            ).all()
            rows = session.scalars(
                select(PanelPanel).where(PanelPanel.id.in_(ids)).order_by(PanelPanel.id)
            ).all()
            return [_record(r) for r in rows]

    def scenario(self, record: PanelRecord) -> Scenario:
        """The panel's scenario snapshot (parsed once per text; the snapshot never changes)."""
        key = hashlib.sha256(record.scenario_text.encode("utf-8")).hexdigest()
        found = self._parsed.get(key)
        if found is None:
            found = load_scenario(record.scenario_text, record.scenario_ref)
            if len(self._parsed) >= 16:
                self._parsed.pop(next(iter(self._parsed)))
            self._parsed[key] = found
        return found

    def rows(self, record: PanelRecord) -> list[Row]:
        """The rows of the panel's sheet (:func:`accord.panel.template.template_rows`)."""
        return template_rows(self.scenario(record), record.issues)

    def set_state(self, panel_id: int, *, state: str, round_: int | None = None) -> None:
        """Set a panel's state and, if given, its round; ``KeyError`` for an unknown panel."""
        with self.store.write() as session:
            row = session.get(PanelPanel, panel_id)
            if row is None:
                raise KeyError(panel_id)
            row.state = state
            if round_ is not None:
                row.round = round_

    def set_library(self, panel_id: int, library_id: int) -> None:
        """Link the panel to the library entry its merged scenario was saved as."""
        with self.store.write() as session:
            row = session.get(PanelPanel, panel_id)
            if row is not None:
                row.library_id = library_id

    # ------------------------------------------------------------------ experts

    def invite(self, panel_id: int, label: str) -> str:
        """A fresh one-time invitation for expert ``label`` (stored hashed)."""
        token = secrets.token_urlsafe(24)
        try:
            with self.store.write() as session:
                session.add(
                    PanelExpert(panel_id=panel_id, label=label, invite_hash=token_hash(token))
                )
        except IntegrityError:
            raise UsageError(
                f"the panel already has an expert '{label}'", field="label", expected="a new id"
            ) from None
        return token

    def experts(self, panel_id: int) -> list[ExpertRecord]:
        """The experts of a panel, in invitation order."""
        with self.store.read() as session:
            rows = session.scalars(
                select(PanelExpert).where(PanelExpert.panel_id == panel_id).order_by(PanelExpert.id)
            ).all()
            return [ExpertRecord(r.id, r.label, r.user_id is not None, r.user_id) for r in rows]

    def expert_of(self, panel_id: int, user_id: int) -> ExpertRecord | None:
        """The expert of a panel that ``user_id`` joined as, or ``None``."""
        for e in self.experts(panel_id):
            if e.user_id == user_id:
                return e
        return None

    def by_invite(self, token: str) -> tuple[int, str, bool] | None:
        """(panel id, label, taken) of an invitation."""
        with self.store.read() as session:
            row = session.scalar(
                select(PanelExpert).where(PanelExpert.invite_hash == token_hash(token))
            )
            return None if row is None else (row.panel_id, row.label, row.user_id is not None)

    def claim(self, token: str, user_id: int) -> int:
        """Bind the invitation to the new account; it cannot be used again."""
        with self.store.write() as session:
            row = session.scalar(
                select(PanelExpert).where(PanelExpert.invite_hash == token_hash(token))
            )
            if row is None or row.user_id is not None:
                raise KeyError("invitation")
            row.user_id = user_id
            return int(row.panel_id)

    # ------------------------------------------------------------------ answers

    def submit(
        self,
        record: PanelRecord,
        expert: ExpertRecord,
        user_id: int,
        cells: Mapping[str, Any],
    ) -> int:
        """Check and store one form.

        ``{"position|actor|issue|dim": value, ...}`` (fields of :data:`CELL_FIELDS`). Each answered
        row becomes one committed row. Returns the count.
        """
        if record.state != "open":
            raise UsageError(
                f"round {record.round} of this panel is closed", expected="an open round"
            )
        scenario = self.scenario(record)
        rows = template_rows(scenario, record.issues)
        known = {cell_key(r.actor, r.issue, r.dimension) for r in rows}
        for name in cells:
            field, _, key = str(name).partition("|")
            if field not in CELL_FIELDS or key not in known:
                raise UsageError(
                    f"unknown form field '{name}'",
                    field=str(name),
                    expected="FIELD|actor|issue|dimension for a row of this panel",
                )
        checker = _Checker(scenario, f"panel {record.id}, round {record.round}")
        answers: list[Answer] = []
        for line, r in enumerate(rows, start=1):
            key = cell_key(r.actor, r.issue, r.dimension)
            values = {f: cells.get(f"{f}|{key}") for f in CELL_FIELDS}
            if all(values[f] in (None, "") for f in ("position", "salience", "capability")):
                continue
            raw = [expert.label, r.actor, r.issue, r.dimension] + [
                None if values[f] is None else str(values[f]) for f in CELL_FIELDS
            ]
            answer = checker.row(line, raw, from_text=True)
            if answer is not None:
                answers.append(answer)
        if not answers:
            raise UsageError("no answers in the form", expected="at least one filled row")
        with self.store.write() as session:
            for a in answers:
                session.add(
                    PanelAnswer(
                        panel_id=record.id,
                        round=record.round,
                        expert_id=expert.id,
                        actor=a.actor,
                        issue=a.issue,
                        dimension=a.dimension,
                        position=a.position,
                        salience=a.salience,
                        capability=a.capability,
                        confidence=a.confidence,
                        note=a.note or None,
                        user_id=user_id,
                        created_at=now(),
                    )
                )
        return len(answers)

    def latest(
        self, panel_id: int, *, up_to_round: int, expert_id: int | None = None
    ) -> dict[tuple[int, str], PanelAnswer]:
        """The latest answer per expert and cell up to a round.

        (expert id, cell key) -> the latest answer in rounds <= ``up_to_round`` (a later
        round over an earlier one; within a round, the last submitted).
        """
        query = select(PanelAnswer).where(
            PanelAnswer.panel_id == panel_id, PanelAnswer.round <= up_to_round
        )
        if expert_id is not None:
            query = query.where(PanelAnswer.expert_id == expert_id)
        out: dict[tuple[int, str], PanelAnswer] = {}
        with self.store.read() as session:
            for a in session.scalars(query.order_by(PanelAnswer.round, PanelAnswer.id)).all():
                session.expunge(a)
                out[(a.expert_id, cell_key(a.actor, a.issue, a.dimension))] = a
        return out

    def answer_count(self, panel_id: int) -> dict[tuple[int, int], int]:
        """(expert id, round) -> number of answer rows stored."""
        out: dict[tuple[int, int], int] = {}
        with self.store.read() as session:
            for a in session.scalars(select(PanelAnswer).where(PanelAnswer.panel_id == panel_id)):
                out[(a.expert_id, a.round)] = out.get((a.expert_id, a.round), 0) + 1
        return out

    def group_summary(self, record: PanelRecord, round_: int) -> dict[str, dict[str, Any]]:
        """Per cell, the anonymised median and spread of the experts' latest answers.

        Per cell key, the anonymised median and spread (IQR, min, max, n) of the experts'
        latest answers up to ``round_`` (positions and saliences).
        """
        latest = self.latest(record.id, up_to_round=round_)
        per: dict[str, dict[str, list[float]]] = {}
        for (_, key), a in latest.items():
            for field in ("position", "salience"):
                v = getattr(a, field)
                if v is not None:
                    per.setdefault(key, {}).setdefault(field, []).append(float(v))
        out: dict[str, dict[str, Any]] = {}
        for key, fields in per.items():
            out[key] = {}
            for field, values in fields.items():
                x = np.array(values)
                q1, med, q3 = (float(v) for v in np.percentile(x, [25, 50, 75]))
                out[key][field] = {
                    "n": int(x.size),
                    "median": med,
                    "iqr": q3 - q1,
                    "min": float(x.min()),
                    "max": float(x.max()),
                }
        return out

    def panel_answers(self, record: PanelRecord) -> Panel:
        """Every expert's latest answers, as a :class:`~accord.panel.sheets.Panel`."""
        labels = {e.id: e.label for e in self.experts(record.id)}
        latest = self.latest(record.id, up_to_round=record.round)
        answers = [
            Answer(
                labels[eid],
                a.actor,
                a.issue,
                a.dimension,
                a.position,
                a.salience,
                a.capability,
                a.confidence,
                a.note or "",
                f"panel {record.id}, round {a.round}",
                a.id,
            )
            for (eid, _), a in sorted(latest.items(), key=lambda kv: (kv[0][0], kv[1].id))
        ]
        scenario = self.scenario(record)
        return Panel(scenario.id, tuple(answers))
