"""Import and export KTAB's XML scenario format (``ktab-xml``, e.g. ``smpExample.xml``).

The file (KTAB's ``smpSchema.xsd``) holds one SMP scenario::

    <Scenario>
      <name>DummyData_3Dim</name>  <desc>...</desc>  <prngSeed>...</prngSeed>
      <ModelParameters> <VictoryProbModel>Linear</VictoryProbModel> ... </ModelParameters>
      <Dimensions> <dName>FirstDim</dName> ... </Dimensions>
      <Actors>
        <Actor> <name>Alice</name> <description>...</description> <capability>117.7</capability>
          <Position> <dCoord>52.8</dCoord> ... </Position>
          <Salience> <dSal>32.3</dSal> ... </Salience> </Actor> ...
      </Actors>
      <IdealAdjustment> <iaPair> <adjustingIdeal>Alice</adjustingIdeal>
        <referencePos>Alice</referencePos> <adjust>0.87</adjust> </iaPair> ... </IdealAdjustment>
    </Scenario>

The XML is parsed with ``defusedxml`` (no DTDs, no entity expansion, no external resources).

Mapping onto :class:`~accord.scenario.schema.Scenario`:

- ``name`` gives the scenario's title, and its id (characters outside ``[A-Za-z0-9_.-]`` become
  ``-``); ``desc`` its description. One issue, with the scenario's id, whose dimensions are the
  ``dName`` entries, each on KTAB's scale 0..100; ``salience_scale`` is 100; no status quo, no body.
- each ``Actor`` is an actor (id from its name, made unique) with its ``capability``, and a stance
  with one coordinate and one salience per dimension. Every number's ``source`` is
  ``"<file>, line N"`` (the line of that element) with ``assumed: false``.
- the model parameters (the SMP switches) and the PRNG seed are kept as text in the scenario's
  ``sources`` under ``"ktab-model-parameters"`` (``"VictoryProbModel=Linear; PCEModel=...;
  prngSeed=..."``), so that they survive a round trip through YAML. :func:`smp_params` turns them
  into the parameters of accord's ``smp`` model (``victory_model``, ``pce``, ...), ready to pass on.
- the ideal-adjustment pairs (not used by accord's SMP) are kept as text under
  ``"ktab-ideal-adjustment"`` (``"Alice<-Alice 0.87; ..."``).

Checks, as KTAB's reader makes them: every coordinate and salience is a number in 0..100, an
actor's saliences sum to at most 100, a capability is a number in 0..1e8, each actor has one
coordinate and one salience per dimension. A failure is a ScenarioError with the file, the line,
and the element path, e.g. ``smpExample.xml:31, field 'Actors/Actor[1] (Alice)/Position/dCoord[1]':
empty coordinate (expected a number in 0..100)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

from accord.errors import ScenarioError
from accord.scenario.importers.common import make_id, pick_issue, strict_float
from accord.scenario.schema import (
    Actor,
    Dimension,
    Issue,
    Position,
    Quantity,
    Salience,
    Scenario,
    Stance,
)

FORMAT = "ktab-xml"

PARAMETERS_KEY = "ktab-model-parameters"
IDEAL_ADJUSTMENT_KEY = "ktab-ideal-adjustment"

#: KTAB's XML parameter names -> accord smp parameter names (see docs/models/smp.md).
SMP_PARAMETERS: dict[str, str] = {
    "VictoryProbModel": "victory_model",
    "PCEModel": "pce",
    "StateTransitions": "state_transitions",
    "VotingRule": "voting_rule",
    "BigRAdjust": "big_r_adjust",
    "BigRRange": "big_r_range",
    "ThirdPartyCommit": "third_party_commit",
    "InterVecBrgn": "bargain_interpolation",
    "BargnModel": "bargain_model",
}

MAX_CAPABILITY = 1e8


# ------------------------------------------------------------------------- a tiny DOM


@dataclass
class _Node:
    tag: str
    line: int
    text: str = ""
    children: list[_Node] = field(default_factory=list)

    def all(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]

    def first(self, tag: str) -> _Node | None:
        for child in self.children:
            if child.tag == tag:
                return child
        return None


class _Builder(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.root: _Node | None = None
        self.stack: list[_Node] = []
        self.locator: Any = None

    def setDocumentLocator(self, locator: Any) -> None:
        self.locator = locator

    def startElement(self, name: str, attrs: Any) -> None:
        line = int(self.locator.getLineNumber()) if self.locator is not None else 0
        node = _Node(tag=name, line=line)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElement(self, name: str) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].text += content


def _parse(text: str, source: str) -> _Node:
    # loaded here, not at import: every load of a YAML file imports this module to sniff
    import defusedxml
    import defusedxml.sax

    builder = _Builder()
    body = text.lstrip("\ufeff")
    # the text is already decoded: drop the declared encoding so expat reads the UTF-8 we pass
    body = re.sub(r"^(\s*<\?xml[^>]*?)\s+encoding=(['\"])[^'\"]*\2", r"\1", body, count=1)
    try:
        defusedxml.sax.parseString(body.encode("utf-8"), builder, forbid_dtd=True)
    except SAXParseException as exc:
        raise ScenarioError(
            f"XML syntax error: {exc.getMessage()}",
            file=source,
            line=exc.getLineNumber(),
            expected="well-formed XML",
        ) from None
    except defusedxml.DefusedXmlException as exc:
        raise ScenarioError(
            f"the XML uses a forbidden construct: DTDs and entities are refused "
            f"({type(exc).__name__})",
            file=source,
            expected="plain XML without DTDs or entities",
        ) from None
    if builder.root is None:
        raise ScenarioError("the file is empty", file=source, expected="a KTAB <Scenario>")
    return builder.root


# ----------------------------------------------------------------------------- reading


def sniff(text: str) -> bool:
    """True if the text is XML whose root element is KTAB's ``<Scenario>``."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if not head.startswith("<"):
        return False
    head = re.sub(r"<\?.*?\?>|<!--.*?-->", "", head, flags=re.S).lstrip()
    if head.startswith("<!DOCTYPE"):
        return True  # claimed so that read() refuses the DTD by name (issue 15)
    return head.startswith("<Scenario") and ("<Actors" in text or "<Dimensions" in text)


def _required(node: _Node, tag: str, source: str, path: str) -> _Node:
    child = node.first(tag)
    if child is None:
        raise ScenarioError(
            f"<{tag}> is missing",
            file=source,
            line=node.line,
            field=path,
            expected=f"a <{tag}> element inside <{node.tag}>",
        )
    return child


def _number(node: _Node, source: str, path: str, what: str, lo: float, hi: float) -> float:
    text = node.text.strip()
    expected = f"a number in {_num(lo)}..{_num(hi)}"
    if not text:
        raise ScenarioError(
            f"empty {what}", file=source, line=node.line, field=path, expected=expected
        )
    try:
        value = strict_float(text)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        raise ScenarioError(
            f"{what} '{text[:40]}' is not a number",
            file=source,
            line=node.line,
            field=path,
            expected=expected,
        )
    if not lo <= value <= hi:
        raise ScenarioError(
            f"{what} {text} is outside {_num(lo)}..{_num(hi)}",
            file=source,
            line=node.line,
            field=path,
            expected=expected,
        )
    return value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _values(
    actor: _Node, group: str, item: str, what: str, m: int, source: str, path: str
) -> tuple[list[float], list[int]]:
    parent = _required(actor, group, source, path)
    items = parent.all(item)
    where = f"{path}/{group}"
    if len(items) != m:
        raise ScenarioError(
            f"{len(items)} <{item}> values for {m} dimension{'s' if m != 1 else ''}",
            file=source,
            line=parent.line,
            field=where,
            expected=f"one <{item}> per <dName> ({m})",
        )
    values = [
        _number(node, source, f"{where}/{item}[{k + 1}]", what, 0.0, 100.0)
        for k, node in enumerate(items)
    ]
    return values, [node.line for node in items]


def read(text: str, source: str) -> list[Scenario]:
    """Parse a KTAB XML scenario into one :class:`Scenario` (see the module docstring).

    Raises:
        ScenarioError: malformed XML or a value KTAB would reject, with file, line and element.
    """
    name = PurePath(source).name or source
    root = _parse(text, source)
    if root.tag != "Scenario":
        raise ScenarioError(
            f"the root element is <{root.tag}>",
            file=source,
            line=root.line,
            expected="KTAB's <Scenario> root element",
        )
    title = _required(root, "name", source, "Scenario").text.strip()
    if not title:
        title = PurePath(source).stem or "ktab"
    desc_node = root.first("desc")
    description = desc_node.text.strip() if desc_node is not None else ""

    dims_node = _required(root, "Dimensions", source, "Scenario")
    dim_nodes = dims_node.all("dName")
    if not dim_nodes:
        raise ScenarioError(
            "no dimensions",
            file=source,
            line=dims_node.line,
            field="Dimensions",
            expected="at least one <dName>",
        )
    taken_dims: set[str] = set()
    dimensions: list[Dimension] = []
    for k, node in enumerate(dim_nodes):
        label = node.text.strip() or f"dim{k + 1}"
        dimensions.append(
            Dimension(id=make_id(label, taken_dims, f"dim{k + 1}"), name=label, lo=0.0, hi=100.0)
        )
    m = len(dimensions)

    actors_node = _required(root, "Actors", source, "Scenario")
    actor_nodes = actors_node.all("Actor")
    if not actor_nodes:
        raise ScenarioError(
            "no actors", file=source, line=actors_node.line, field="Actors", expected="<Actor>s"
        )
    taken: set[str] = set()
    seen_names: dict[str, int] = {}
    actors: list[Actor] = []
    stances: list[Stance] = []
    for index, node in enumerate(actor_nodes, start=1):
        name_node = _required(node, "name", source, f"Actors/Actor[{index}]")
        actor_name = name_node.text.strip()
        if not actor_name:
            raise ScenarioError(
                "empty actor name",
                file=source,
                line=name_node.line,
                field=f"Actors/Actor[{index}]/name",
                expected="a name",
            )
        path = f"Actors/Actor[{index}] ({actor_name})"
        if actor_name in seen_names:
            raise ScenarioError(
                f"duplicate actor '{actor_name}' (first is Actor[{seen_names[actor_name]}])",
                file=source,
                line=name_node.line,
                field=f"{path}/name",
                expected="each actor once",
            )
        seen_names[actor_name] = index
        cap_node = _required(node, "capability", source, path)
        capability = _number(
            cap_node, source, f"{path}/capability", "capability", 0.0, MAX_CAPABILITY
        )
        coords, coord_lines = _values(node, "Position", "dCoord", "coordinate", m, source, path)
        sals, sal_lines = _values(node, "Salience", "dSal", "salience", m, source, path)
        if sum(sals) > 100.0:
            raise ScenarioError(
                f"saliences sum to {sum(sals):g}",
                file=source,
                line=sal_lines[0],
                field=f"{path}/Salience",
                expected="saliences that sum to at most 100",
            )
        desc = node.first("description")
        actor_id = make_id(actor_name, taken, "actor")
        actors.append(
            Actor(
                id=actor_id,
                name=actor_name,
                description=(desc.text.strip() or None) if desc is not None else None,
                capability=Quantity(value=capability, source=f"{name}, line {cap_node.line}"),
            )
        )
        stances.append(
            Stance(
                actor=actor_id,
                position=Position(
                    value=coords[0] if m == 1 else coords, source=_lines(name, coord_lines)
                ),
                salience=Salience(
                    value=sals[0] if m == 1 else sals, source=_lines(name, sal_lines)
                ),
            )
        )

    scenario_id = make_id(title, set(), "ktab")
    sources = {FORMAT: f"KTAB XML imported from {name}"}
    parameters = _parameters(root)
    if parameters:
        sources[PARAMETERS_KEY] = "; ".join(f"{k}={v}" for k, v in parameters.items())
    adjustments = list(_ideal_adjustments(root))
    if adjustments:
        sources[IDEAL_ADJUSTMENT_KEY] = "; ".join(adjustments)
    issue = Issue(
        id=scenario_id,
        name=title,
        dimensions=dimensions,
        salience_scale=100.0,
        stances=stances,
    )
    return [
        Scenario(
            id=scenario_id,
            title=title,
            description=description or None,
            sources=sources,
            actors=actors,
            issues=[issue],
        )
    ]


def _lines(name: str, lines: list[int]) -> str:
    if len(set(lines)) == 1:
        return f"{name}, line {lines[0]}"
    return f"{name}, lines {lines[0]}-{lines[-1]}" if lines == sorted(lines) else f"{name}"


def _parameters(root: _Node) -> dict[str, str]:
    out: dict[str, str] = {}
    params = root.first("ModelParameters")
    if params is not None:
        for child in params.children:
            if child.text.strip():
                out[child.tag] = child.text.strip()
    seed = root.first("prngSeed")
    if seed is not None and seed.text.strip():
        out["prngSeed"] = seed.text.strip()
    return out


def _ideal_adjustments(root: _Node) -> Iterator[str]:
    block = root.first("IdealAdjustment")
    if block is None:
        return
    for pair in block.all("iaPair"):
        parts = [pair.first(t) for t in ("adjustingIdeal", "referencePos", "adjust")]
        if all(p is not None for p in parts):
            who, ref, amount = (p.text.strip() for p in parts if p is not None)
            yield f"{who}<-{ref} {amount}"


def model_parameters(scenario: Scenario) -> dict[str, str]:
    """KTAB's model parameters recorded in ``scenario.sources`` (KTAB's names and values)."""
    text = scenario.sources.get(PARAMETERS_KEY, "")
    out: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


def smp_params(scenario: Scenario) -> dict[str, str]:
    """The recorded KTAB switches as parameters of accord's ``smp`` model.

    Only the nine SMP switches are mapped (``VictoryProbModel`` -> ``victory_model``, ...); the
    PRNG seed is not (accord seeds every run itself). Values keep KTAB's names (``Linear``,
    ``MarkovIncentive``, ...), which ``smp`` accepts or rejects with a UsageError.
    """
    params = model_parameters(scenario)
    return {SMP_PARAMETERS[k]: v for k, v in params.items() if k in SMP_PARAMETERS}


# ----------------------------------------------------------------------------- writing


def _fmt(value: float) -> str:
    return _num(round(value, 10))


def write(scenario: Scenario, issue_id: str | None = None) -> str:
    """Export one issue of ``scenario`` as KTAB XML.

    Positions are mapped linearly from each dimension's scale onto KTAB's 0..100, saliences from
    0..salience_scale onto 0..100 (a salience given as one number applies to every dimension).
    Recorded model parameters and ideal adjustments are written back. Actors without a stance on
    the issue are left out.

    Raises:
        UsageError: several issues and no ``issue_id``, or an unknown ``issue_id``.
    """
    from xml.sax.saxutils import escape  # its urllib import costs every load of any file

    issue = pick_issue(scenario, issue_id, "KTAB XML")
    m = len(issue.dimensions)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<Scenario>"]
    lines.append(f"  <name>{escape(scenario.title)}</name>")
    description = scenario.description or issue.description or ""
    lines.append(f"  <desc>{escape(description)}</desc>")
    params = model_parameters(scenario)
    seed = params.pop("prngSeed", None)
    if seed is not None:
        lines.append(f"  <prngSeed>{escape(seed)}</prngSeed>")
    if params:
        lines.append("  <ModelParameters>")
        lines += [
            f"    <{tag}>{escape(value)}</{tag}>"
            for tag, value in params.items()
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tag)
        ]
        lines.append("  </ModelParameters>")
    lines.append("  <Dimensions>")
    lines += [f"    <dName>{escape(d.name or d.id)}</dName>" for d in issue.dimensions]
    lines.append("  </Dimensions>")
    lines.append("  <Actors>")
    for stance in issue.stances:
        actor = scenario.actor(stance.actor)
        coords = [
            x if (d.lo, d.hi) == (0.0, 100.0) else (x - d.lo) / (d.hi - d.lo) * 100.0
            for x, d in zip(stance.position.values(), issue.dimensions, strict=True)
        ]
        scale = issue.salience_scale
        sals = [s if scale == 100.0 else s / scale * 100.0 for s in stance.salience.values(m)]
        lines.append("    <Actor>")
        lines.append(f"      <name>{escape(actor.name)}</name>")
        lines.append(f"      <description>{escape(actor.description or '')}</description>")
        lines.append(f"      <capability>{_fmt(actor.capability.value)}</capability>")
        lines.append("      <Position>")
        lines += [f"        <dCoord>{_fmt(x)}</dCoord>" for x in coords]
        lines.append("      </Position>")
        lines.append("      <Salience>")
        lines += [f"        <dSal>{_fmt(s)}</dSal>" for s in sals]
        lines.append("      </Salience>")
        lines.append("    </Actor>")
    lines.append("  </Actors>")
    pairs = scenario.sources.get(IDEAL_ADJUSTMENT_KEY, "")
    parsed = [
        match.groups()
        for part in pairs.split(";")
        if (match := re.fullmatch(r"\s*(.+?)<-(.+?)\s+(\S+)\s*", part))
    ]
    if parsed:
        lines.append("  <IdealAdjustment>")
        for who, ref, amount in parsed:
            lines.append("    <iaPair>")
            lines.append(f"      <adjustingIdeal>{escape(who)}</adjustingIdeal>")
            lines.append(f"      <referencePos>{escape(ref)}</referencePos>")
            lines.append(f"      <adjust>{escape(amount)}</adjust>")
            lines.append("    </iaPair>")
        lines.append("  </IdealAdjustment>")
    lines.append("</Scenario>")
    return "\n".join(lines) + "\n"
