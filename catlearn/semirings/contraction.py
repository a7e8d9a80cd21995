"""Semiring tensor contraction: ``einsum`` and ``contract`` in any semiring.

The contraction *order* is structural, so it is found once per structure
by opt_einsum and is valid in every commutative semiring; each pairwise
step is one batched ``semiring.matmul`` — BLAS for Real, Log and Boolean,
the bounded-memory selective kernel for the tropical family::

    >>> import jax.numpy as jnp
    >>> from catlearn.semirings import MinPlus, Real
    >>> a = jnp.array([[0.0, 4.0], [1.0, 0.0]])
    >>> einsum(MinPlus(), "ij,jk->ik", a, a).tolist()   # two-step shortest paths
    [[0.0, 4.0], [1.0, 0.0]]
    >>> contract(Real(), [a, a], [["i", "j"], ["j", "k"]], ["i"]).tolist()
    [4.0, 4.0]
"""

from __future__ import annotations

import string
from collections.abc import Hashable, Iterable, Sequence
from functools import lru_cache, partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import opt_einsum

from catlearn.errors import ArgumentTypeError, ArgumentValueError, NonCommutativeError, SpecError
from catlearn.semirings.carrier import checked
from catlearn.semirings.semiring import Array, Semiring, require_semiring

Labels = tuple[Hashable, ...]

_LETTERS = set(string.ascii_letters)


def einsum(semiring: Semiring, spec: str, *operands: Any, optimize: str = "auto") -> Array:
    """Contract ``operands`` as numpy's ``einsum(spec, …)`` would, in ``semiring``.

    Supports any number of operands, implicit output (``"ij,jk"``),
    repeated indices (``"ii->i"``, a diagonal) and ``...``. ``optimize``
    is an opt_einsum strategy ("auto", "optimal", "greedy", …).

    Each operand goes through ``semiring.asarray`` (the carrier's boundary
    check); a refusal names the operand::

        >>> from catlearn.semirings import Real
        >>> einsum(Real(), "i,i->", [1.0, 2.0], "3")
        Traceback (most recent call last):
        ...
        catlearn.errors.ArgumentTypeError: einsum operand 1: Real: got the str '3', needs numbers
    """
    semiring = require_semiring(semiring, "einsum: semiring")
    if not isinstance(spec, str):
        raise ArgumentTypeError(f"einsum spec must be a string, got {type(spec).__name__}")
    arrays = [checked(semiring.asarray, x, f"einsum operand {i}") for i, x in enumerate(operands)]
    labels, output = _parse(spec, [len(semiring.index_shape(x)) for x in arrays])
    return contract(semiring, arrays, labels, output, optimize=optimize)


def contract(
    semiring: Semiring,
    operands: Sequence[Any],
    indices: Sequence[Sequence[Hashable]],
    output: Sequence[Hashable],
    *,
    optimize: str = "auto",
) -> Array:
    """Contract ``operands[i]`` with index labels ``indices[i]`` into ``output``.

    Labels are any hashables (wire ids of a diagram, say). An index in
    no output is ⊕-summed; indices shared by operands are ⊗-multiplied.
    """
    semiring = require_semiring(semiring, "contract: semiring")
    operands, labels, out = _arguments(operands, indices, output, optimize)
    if len(operands) != len(labels):
        raise SpecError(f"{len(operands)} operands but {len(labels)} index lists")
    if len(operands) == 0:
        raise SpecError("contract needs at least one operand")
    if len(operands) > 1 and not semiring.commutative:
        raise NonCommutativeError(
            f"contraction reorders ⊗-products, which needs a commutative semiring; "
            f"{semiring!r} declares commutative=False"
        )
    arrays = [checked(semiring.asarray, x, f"operands[{i}]") for i, x in enumerate(operands)]
    _check(semiring, arrays, labels, out)
    if semiring.host or any(isinstance(x, jax.core.Tracer) for x in jax.tree.leaves(arrays)):
        # Inside the caller's trace, inline: a nested jit under grad is linearised
        # equation by equation, which is slower to trace than the plain contraction.
        return _contract(semiring, labels, out, optimize, *arrays)
    return _compiled(semiring, labels, out, optimize)(*arrays)


# -- parsing and checking --------------------------------------------------


def _arguments(operands, indices, output, optimize) -> tuple[list, tuple[Labels, ...], Labels]:
    """contract's arguments as lists of hashable labels, or an error naming the culprit."""
    for name, value in (("operands", operands), ("indices", indices)):
        # an array or a string is iterable too, but its items are not operands or lists
        if isinstance(value, (str, bytes, np.ndarray, jax.Array)) or not isinstance(
            value, Sequence
        ):
            raise ArgumentTypeError(
                f"contract: {name} must be a list (one entry per operand), "
                f"got {type(value).__name__}"
            )
    labels = tuple(_labels(ix, f"indices[{i}]") for i, ix in enumerate(indices))
    out = _labels(output, "output")
    if isinstance(optimize, bool):
        return list(operands), labels, out
    if not isinstance(optimize, str):
        raise ArgumentTypeError(
            f"optimize must be an opt_einsum strategy name, got {type(optimize).__name__}"
        )
    try:
        opt_einsum.paths.get_path_fn(optimize)
    except KeyError as error:
        raise ArgumentValueError(
            f"optimize: unknown opt_einsum strategy {optimize!r} "
            f"(such as 'auto', 'greedy', 'optimal', 'dp')"
        ) from error
    return list(operands), labels, out


def _labels(ix: Any, where: str) -> Labels:
    if isinstance(ix, (np.ndarray, jax.Array)) or not isinstance(ix, Iterable):
        raise ArgumentTypeError(
            f"contract: {where} must be a sequence of index labels, got {type(ix).__name__}"
        )
    labels = tuple(ix)
    for label in labels:
        try:
            hash(label)
        except TypeError:
            raise ArgumentTypeError(
                f"contract: {where} has the label {label!r}, which is not hashable"
            ) from None
    return labels


def _parse(spec: str, ranks: list[int]) -> tuple[list[Labels], Labels]:
    spec = spec.replace(" ", "")
    if spec.count("->") > 1:
        raise SpecError(f"spec {spec!r} has {spec.count('->')} arrows '->'; it takes at most one")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(ranks):
        raise SpecError(f"spec {spec!r} names {len(terms)} operands, got {len(ranks)}")
    for term in terms + ([output] if arrow else []):
        if term.count("...") > 1:
            raise SpecError(f"spec {spec!r}: term {term!r} has more than one '...'")
        bad = set(term.replace("...", "")) - _LETTERS
        if bad:
            raise SpecError(f"spec {spec!r}: invalid index character(s) {sorted(bad)}")
    ellipsis_rank = max(
        [rank - len(t.replace("...", "")) for t, rank in zip(terms, ranks) if "..." in t],
        default=0,
    )
    broadcast = tuple(("...", i) for i in range(ellipsis_rank))
    labels = []
    for i, (term, rank) in enumerate(zip(terms, ranks)):
        head, dots, tail = term.partition("...")
        if dots:
            extra = rank - len(head) - len(tail)
            if extra < 0:
                raise SpecError(
                    f"operand {i} has {rank} index axes, fewer than term {term!r} names"
                )
            labels.append(tuple(head) + broadcast[ellipsis_rank - extra :] + tuple(tail))
        else:
            labels.append(tuple(term))
    if arrow:
        head, dots, tail = output.partition("...")
        out = tuple(head) + (broadcast if dots else ()) + tuple(tail)
    else:
        counts: dict[Hashable, int] = {}
        for ix in labels:
            for label in ix:
                counts[label] = counts.get(label, 0) + 1
        once = sorted(k for k, c in counts.items() if c == 1 and isinstance(k, str))
        out = broadcast + tuple(once)
    return labels, out


def _name(label: Hashable) -> str:
    return "..." if isinstance(label, tuple) and label[:1] == ("...",) else repr(label)


def _check(semiring: Semiring, arrays: list, labels: tuple[Labels, ...], out: Labels) -> None:
    sizes: dict[Hashable, tuple[int, int]] = {}
    for i, (x, ix) in enumerate(zip(arrays, labels)):
        shape = semiring.index_shape(x)
        if len(shape) != len(ix):
            raise SpecError(
                f"operand {i} has {len(shape)} index axes (shape {shape}) "
                f"but its indices {list(ix)} name {len(ix)}"
            )
        for label, size in zip(ix, shape):
            if label in sizes and sizes[label][0] != size:
                raise SpecError(
                    f"index {_name(label)} has size {sizes[label][0]} in operand "
                    f"{sizes[label][1]} but {size} in operand {i}"
                )
            sizes.setdefault(label, (size, i))
    if len(set(out)) != len(out):
        raise SpecError(f"output indices {list(out)} repeat an index")
    missing = [label for label in out if label not in sizes]
    if missing:
        raise SpecError(f"output index {_name(missing[0])} appears in no operand")


# -- the contraction itself ------------------------------------------------


@lru_cache(maxsize=512)
def _compiled_cached(semiring, labels, out, optimize):
    return jax.jit(partial(_contract, semiring, labels, out, optimize))


def _compiled(semiring: Semiring, labels, out, optimize):
    try:
        return _compiled_cached(semiring, labels, out, optimize)
    except TypeError:  # an unhashable user semiring: trace without caching
        return partial(_contract, semiring, labels, out, optimize)


@lru_cache(maxsize=4096)
def _path(labels: tuple[Labels, ...], out: Labels, shapes, optimize: str):
    symbols: dict[Hashable, str] = {}
    for label in [lab for ix in labels for lab in ix]:
        symbols.setdefault(label, opt_einsum.get_symbol(len(symbols)))
    eq = ",".join("".join(symbols[lab] for lab in ix) for ix in labels)
    eq += "->" + "".join(symbols[lab] for lab in out)
    path, _ = opt_einsum.contract_path(eq, *shapes, shapes=True, optimize=optimize)
    return tuple(tuple(step) for step in path)


def _contract(semiring: Semiring, labels, out, optimize, *arrays):
    terms = [_prepare(semiring, x, ix, labels, out) for x, ix in zip(arrays, labels)]
    if len(terms) > 1:
        shapes = tuple(tuple(semiring.index_shape(x)) for x, _ in terms)
        path = _path(tuple(ix for _, ix in terms), out, shapes, optimize)
        for step in path:
            picked = [terms[i] for i in step]
            terms = [t for i, t in enumerate(terms) if i not in step]
            rest = {lab for _, ix in terms for lab in ix} | set(out)
            while len(picked) > 1:
                keep = rest | {lab for _, ix in picked[2:] for lab in ix}
                picked = [_pair(semiring, picked[0], picked[1], keep)] + picked[2:]
            terms.append(picked[0])
    x, ix = terms[0]
    x, ix = _sum_out(semiring, x, ix, set(out))
    return _permute(semiring, x, [ix.index(label) for label in out])


def _prepare(semiring, x, ix, labels, out):
    """Take diagonals of repeated indices and ⊕-sum indices used nowhere else."""
    ix = list(ix)
    while len(set(ix)) < len(ix):
        first = next(lab for lab in ix if ix.count(lab) > 1)
        p1 = ix.index(first)
        x = _diagonal(semiring, x, p1, ix.index(first, p1 + 1))
        del ix[ix.index(first, p1 + 1)]
    private = {lab for lab in ix if lab not in out and sum(lab in o for o in labels) == 1}
    return _sum_out(semiring, x, tuple(ix), set(ix) - private)


def _sum_out(semiring, x, ix, keep):
    for label in [lab for lab in ix if lab not in keep]:
        axis = ix.index(label)
        x = semiring.sum(x, axis)
        ix = ix[:axis] + ix[axis + 1 :]
    return x, ix


def _pair(semiring, left, right, keep):
    """One pairwise contraction as a batched semiring matmul."""
    (a, la), (b, lb) = left, right
    batch = [lab for lab in la if lab in lb and lab in keep]
    inner = [lab for lab in la if lab in lb and lab not in keep]
    only_a = [lab for lab in la if lab not in lb]
    only_b = [lab for lab in lb if lab not in la]
    size = dict(zip(la, semiring.index_shape(a))) | dict(zip(lb, semiring.index_shape(b)))
    dims = [int(np.prod([size[lab] for lab in group])) for group in (batch, only_a, inner, only_b)]
    nb, m, k, n = dims
    a = _permute(semiring, a, [la.index(lab) for lab in batch + only_a + inner])
    b = _permute(semiring, b, [lb.index(lab) for lab in batch + inner + only_b])
    a = _reshape(semiring, a, (nb, m, k))
    b = _reshape(semiring, b, (nb, k, n))
    if k == 0 or nb * m * n == 0:
        c = semiring.zeros((nb, m, n))
    else:
        c = semiring.matmul(a, b)
    labels = tuple(batch + only_a + only_b)
    return _reshape(semiring, c, tuple(size[lab] for lab in labels)), labels


# -- index-axis manipulation of (possibly structured) carriers ---------------


def _index_ndim(semiring, x) -> int:
    return len(semiring.index_shape(x))


def _permute(semiring, x, perm):
    if list(perm) == list(range(len(perm))):
        return x
    nidx = _index_ndim(semiring, x)

    def go(leaf):
        return leaf.transpose(tuple(perm) + tuple(range(nidx, np.ndim(leaf))))

    return jax.tree.map(go, x)


def _reshape(semiring, x, shape):
    nidx = _index_ndim(semiring, x)
    return jax.tree.map(lambda leaf: leaf.reshape(tuple(shape) + leaf.shape[nidx:]), x)


def _diagonal(semiring, x, p1, p2):
    nidx = _index_ndim(semiring, x)

    def go(leaf):
        xp = np if isinstance(leaf, np.ndarray) else jnp
        extra = list(range(np.ndim(leaf) - nidx))
        # diagonal() appends the new axis last, behind any element axes, so
        # the element axes go first while it is taken and back after.
        front = xp.moveaxis(leaf, [nidx + e for e in extra], extra)
        d = xp.moveaxis(front.diagonal(0, p1 + len(extra), p2 + len(extra)), -1, p1 + len(extra))
        return xp.moveaxis(d, extra, [d.ndim - len(extra) + e for e in extra])

    return jax.tree.map(go, x)
