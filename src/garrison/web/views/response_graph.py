"""A playbook's steps as a graph, laid out here and drawn as inline SVG by the template.

Steps stand in one column in file order, joined by solid arrows (the order they run in);
``needs`` are dashed curves on the right of the column; ``compensate`` steps stand in a
second column, reached by dotted arrows from the steps whose ``on_error`` names them.
Approval steps are hexagons, actions rounded boxes. Drawn on the server, the graph needs no
script, and only numbers computed here go into the SVG's geometry: step names and ids are
text nodes, which the template escapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise

from garrison.respond.playbook import Playbook, Step

#: Box size and spacing, in SVG units (pixels at 100 %).
WIDTH = 250
HEIGHT = 50
GAP = 34
MARGIN = 24
#: Room between the columns for the ``needs`` curves.
LANE = 150
#: Longest label shown in a box (the full text is in the node's tooltip).
LABEL = 30


@dataclass(frozen=True, slots=True)
class Node:
    """A step's box.

    Attributes:
        id: The step id.
        label / sub: The two lines of text (id, then action and conditions).
        title: The tooltip (the step's name, or its id).
        kind: ``action``, ``approval`` or ``compensate``.
        status: The step's status in a run (``""`` for a playbook).
        x / y / w / h: Its box.
        points: The outline of an approval (a hexagon), as SVG ``points``.
    """

    id: str
    label: str
    sub: str
    title: str
    kind: str
    status: str
    x: int
    y: int
    w: int
    h: int
    points: str = ""

    @property
    def cx(self) -> int:
        """The middle, across."""
        return self.x + self.w // 2

    @property
    def text_y(self) -> int:
        """Baseline of the first text line."""
        return self.y + self.h // 2 - 4


@dataclass(frozen=True, slots=True)
class Edge:
    """A line between two boxes: ``order``, ``needs`` (dashed) or ``error`` (dotted)."""

    kind: str
    d: str


@dataclass
class Graph:
    """Boxes and lines, and the size of the drawing."""

    width: int
    height: int
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    compensate_x: int | None = None


def _short(text: str) -> str:
    return text if len(text) <= LABEL else text[: LABEL - 1] + "…"


def _hexagon(x: int, y: int, w: int, h: int) -> str:
    tip = h // 2
    return " ".join(
        f"{px},{py}"
        for px, py in (
            (x + tip, y),
            (x + w - tip, y),
            (x + w, y + h // 2),
            (x + w - tip, y + h),
            (x + tip, y + h),
            (x, y + h // 2),
        )
    )


def _node(step: Step, x: int, y: int, kind: str, status: str, words: Mapping[str, str]) -> Node:
    sub = step.action or words.get("approval", "approval")
    if step.if_:
        sub += " · " + words.get("if", "if")
    if step.for_each:
        sub += " · " + words.get("for_each", "for each")
    points = _hexagon(x, y, WIDTH, HEIGHT) if step.kind == "approval" else ""
    return Node(
        id=step.id,
        label=_short(step.id),
        sub=_short(sub),
        title=step.name or step.id,
        kind="approval" if step.kind == "approval" else kind,
        status=status,
        x=x,
        y=y,
        w=WIDTH,
        h=HEIGHT,
        points=points,
    )


def layout(
    playbook: Playbook,
    *,
    statuses: Mapping[str, str] | None = None,
    words: Mapping[str, str] | None = None,
) -> Graph:
    """Lay out a playbook's steps (see the module docstring).

    Args:
        playbook: The playbook.
        statuses: Step id -> status in a run, to colour the boxes.
        words: Translated ``approval``, ``if`` and ``for_each`` for the boxes' second line.
    """
    statuses = statuses or {}
    words = words or {}
    main: dict[str, Node] = {}
    y = MARGIN
    for step in playbook.steps:
        main[step.id] = _node(step, MARGIN, y, "action", statuses.get(step.id, ""), words)
        y += HEIGHT + GAP
    bottom = y - GAP
    graph = Graph(width=MARGIN * 2 + WIDTH + LANE // 2, height=bottom + MARGIN)
    nodes = list(main.values())
    for upper, lower in pairwise(nodes):
        graph.edges.append(Edge("order", f"M{upper.cx},{upper.y + upper.h} V{lower.y - 2}"))
    right = MARGIN + WIDTH
    for step in playbook.steps:
        for need in step.needs:
            if need not in main:
                continue
            src, dst = main[need], main[step.id]
            bend = right + min(LANE - 20, 24 + 14 * (nodes.index(dst) - nodes.index(src)))
            src_y, dst_y = src.y + src.h // 2, dst.y + dst.h // 2
            graph.edges.append(
                Edge(
                    "needs", f"M{right},{src_y} C{bend},{src_y} {bend},{dst_y} {right + 2},{dst_y}"
                )
            )
    if playbook.compensate:
        column = right + LANE
        graph.compensate_x = column
        side: dict[str, Node] = {}
        y = MARGIN + 18  # room for the column's heading
        for step in playbook.compensate:
            side[step.id] = _node(step, column, y, "compensate", statuses.get(step.id, ""), words)
            y += HEIGHT + GAP
        for step in [*playbook.steps, *playbook.compensate]:
            target = side.get(step.on_error)
            source = main.get(step.id) or side.get(step.id)
            if target is None or source is None or source is target:
                continue
            sy, ty = source.y + source.h // 2, target.y + target.h // 2
            start = source.x + source.w
            graph.edges.append(Edge("error", f"M{start},{sy} L{target.x - 2},{ty}"))
        nodes += list(side.values())
        graph.width = column + WIDTH + MARGIN
        graph.height = max(graph.height, y - GAP + MARGIN)
    graph.nodes = nodes
    return graph
