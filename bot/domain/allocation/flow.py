"""Balanced assignment of subjects to people by maximum flow, capacities raised level by level.

The network: source → subject (1) → bucket (its capacity) → person (the level) → sink. A
bucket is one person's share of one cycle, so that a per-auditor cycle can hold each auditor to
exactly N while other cycles drawn together share the same people.

Balance: at level k every person may hold up to k in total (existing load included, never
more than their capacity). Each level starts from the previous level's flow and only
augments it, and the residual graph has no edge back out of the sink, so nobody's load ever
goes down. The result maximises, level after level, how many people reach each load:
the largest load is as small as possible and the loads differ by at most one wherever
eligibility and capacity allow.

The solver is SciPy's ``maximum_flow`` (Dinic); the only work here is building its graph.
Which of several equally good flows comes out depends on the order of nodes, so the caller
shuffles subjects and people with the draw's seed before calling.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_array  # type: ignore[import-untyped]
from scipy.sparse.csgraph import maximum_flow  # type: ignore[import-untyped]

SOURCE, SINK = 0, 1


def levelled_assignment(
    subject_buckets: Sequence[Sequence[int]],
    bucket_owner: Sequence[int],
    bucket_cap: Sequence[int],
    base_load: Sequence[int],
    capacity: Sequence[int | None],
) -> list[int | None]:
    """Give each subject one of its buckets, loads as even as possible; None where none fits.

    ``subject_buckets[s]`` lists the (distinct) buckets subject ``s`` may go to; bucket ``b`` is
    person ``bucket_owner[b]``'s and holds at most ``bucket_cap[b]``; person ``p`` already holds
    ``base_load[p]`` and may hold at most ``capacity[p]`` in total (None: no limit).
    """
    n_subjects, n_buckets, n_people = len(subject_buckets), len(bucket_owner), len(base_load)
    if n_subjects == 0 or n_people == 0:
        return [None] * n_subjects
    first_bucket = 2 + n_subjects
    first_person = first_bucket + n_buckets
    n_nodes = first_person + n_people

    # Edges in blocks, as arrays: source → subjects, subjects → buckets, buckets → people,
    # people → sink (the last block's capacities are set level by level).
    counts = np.fromiter((len(b) for b in subject_buckets), dtype=np.int64, count=n_subjects)
    choices = np.fromiter(
        itertools.chain.from_iterable(subject_buckets), dtype=np.int64, count=int(counts.sum())
    )
    subject_nodes = 2 + np.arange(n_subjects, dtype=np.int64)
    bucket_nodes = first_bucket + np.arange(n_buckets, dtype=np.int64)
    person_nodes = first_person + np.arange(n_people, dtype=np.int64)
    tail = np.concatenate(
        [np.full(n_subjects, SOURCE), np.repeat(subject_nodes, counts), bucket_nodes, person_nodes]
    )
    head = np.concatenate(
        [
            subject_nodes,
            first_bucket + choices,
            first_person + np.asarray(bucket_owner, dtype=np.int64),
            np.full(n_people, SINK),
        ]
    )
    cap = np.concatenate(
        [
            np.ones(n_subjects + len(choices), dtype=np.int64),
            np.asarray(bucket_cap, dtype=np.int64),
            np.zeros(n_people, dtype=np.int64),
        ]
    )
    sink_edges = slice(len(tail) - n_people, len(tail))
    subject_edges = slice(n_subjects, n_subjects + len(choices))
    flow = np.zeros_like(cap)
    # Flow may be pushed back along any edge except out of the sink (that would lower a
    # person's load) and into the source (a placed subject stays placed).
    reversible = (tail != SOURCE) & (head != SINK)
    edge_keys = tail * n_nodes + head
    base = np.asarray(base_load, dtype=np.int64)
    unlimited = int(base.max()) + n_subjects
    limit = np.asarray([unlimited if c is None else c for c in capacity], dtype=np.int64)

    level = int(base.min()) + 1
    top = int(limit.max())
    placed = 0
    previous_caps: np.ndarray | None = None
    while placed < n_subjects and level <= top:
        level_caps = np.maximum(0, np.minimum(level, limit) - base)
        if previous_caps is not None and np.array_equal(level_caps, previous_caps):
            level += 1  # nobody rises at this level (all still below their existing load)
            continue
        cap[sink_edges] = previous_caps = level_caps
        gained = _augment(tail, head, cap, flow, reversible, edge_keys, n_nodes)
        placed += gained
        # Above everyone's existing load, each level raises everyone not yet at their limit,
        # so a level that adds nothing proves that no later level will.
        if gained == 0 and level > int(base.max()):
            break
        level += 1

    choice: list[int | None] = [None] * n_subjects
    taken = flow[subject_edges] > 0
    for t, h in zip(tail[subject_edges][taken], head[subject_edges][taken], strict=True):
        choice[int(t) - 2] = int(h) - first_bucket
    return choice


def _augment(
    tail: np.ndarray,
    head: np.ndarray,
    cap: np.ndarray,
    flow: np.ndarray,
    reversible: np.ndarray,
    edge_keys: np.ndarray,
    n_nodes: int,
) -> int:
    """Augment ``flow`` in place by a maximum flow of its residual graph; return the gain."""
    # No pair of nodes has edges both ways in the network (it is layered), so forward and
    # backward residual entries never land on the same cell of the matrix.
    forward = cap - flow > 0
    backward = reversible & (flow > 0)
    rows = np.concatenate([tail[forward], head[backward]])
    cols = np.concatenate([head[forward], tail[backward]])
    data = np.concatenate([(cap - flow)[forward], flow[backward]]).astype(np.int32)
    graph = csr_array((data, (rows, cols)), shape=(n_nodes, n_nodes))
    result = maximum_flow(graph, SOURCE, SINK, method="dinic")
    if result.flow_value == 0:
        return 0
    # The solver's flow is skew-symmetric (f[u, v] == -f[v, u]): read it at each edge.
    net = result.flow.tocoo()
    keys = net.row.astype(np.int64) * n_nodes + net.col.astype(np.int64)
    order = np.argsort(keys)
    keys, values = keys[order], net.data[order]
    at = np.searchsorted(keys, edge_keys)
    at_clipped = np.minimum(at, len(keys) - 1)
    found = keys[at_clipped] == edge_keys
    flow += np.where(found, values[at_clipped], 0).astype(np.int64)
    return int(result.flow_value)
