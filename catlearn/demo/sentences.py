"""A meaning-classification corpus: short sentences about food or about IT.

In the style of the published QNLP experiments (Lorenz et al. 2021's "MC"
task): a small grammar of pregroup sentences (a subject, a verb, maybe an
object, each noun with up to two adjectives: twelve grammatical
structures) over a vocabulary in which people and some adjectives are
shared between the topics, so that the topic is in the verbs and objects.
Each sentence is a DisCoPy pregroup diagram, words wired by cups::

    >>> sentences, labels = corpus(200, seed=0)
    >>> len(sentences), sorted(set(labels))
    (200, [0, 1])
    >>> text(sentences[0])
    'person writes new skilful code'

Label 0 is food, 1 is IT.
"""

from __future__ import annotations

import numpy as np
from discopy.grammar.pregroup import Cup, Diagram, Ty, Word

from catlearn.arguments import size, whole

n, s = Ty("n"), Ty("s")

PEOPLE = ("person", "man", "woman")
SHARED_ADJECTIVES = ("skilful", "new")
TOPICS = (  # (agents, intransitive verbs, transitive verbs, objects, adjectives)
    (("chef",), ("cooks", "bakes"), ("prepares", "cooks", "tastes"),
     ("meal", "sauce", "dinner", "soup"), ("tasty", "fresh")),
    (("programmer",), ("codes", "debugs"), ("runs", "writes", "debugs"),
     ("program", "application", "software", "code"), ("useful", "fast")),
)  # fmt: skip


def _noun_phrase(rng: np.random.Generator, nouns: tuple, adjectives: tuple) -> Diagram:
    """A noun with 0–2 adjectives, reduced to one ``n`` wire."""
    phrase = Word(str(rng.choice(nouns)), n)
    for _ in range(int(rng.integers(0, 3))):
        adjective = Word(str(rng.choice(adjectives)), n @ n.l)
        phrase = adjective @ phrase >> n @ Cup(n.l, n)
    return phrase


def sentence(rng: np.random.Generator, topic: int) -> Diagram:
    """One random sentence of ``topic`` (0 food, 1 IT), as a pregroup diagram n ↦ s."""
    agents, intransitive, transitive, objects, adjectives = TOPICS[topic]
    adjectives = adjectives + SHARED_ADJECTIVES
    subject = _noun_phrase(rng, PEOPLE + agents, adjectives)
    if rng.random() < 0.25:
        verb = Word(str(rng.choice(intransitive)), n.r @ s)
        return subject @ verb >> Cup(n, n.r) @ s
    verb = Word(str(rng.choice(transitive)), n.r @ s @ n.l)
    obj = _noun_phrase(rng, objects, adjectives)
    return subject @ verb @ obj >> Cup(n, n.r) @ s @ Cup(n.l, n)


def corpus(count: int, seed: int = 0) -> tuple[list[Diagram], list[int]]:
    """``count`` random sentences, half of each topic in random order, and their labels."""
    count = size(count, "corpus(count)")
    rng = np.random.default_rng(whole(seed, "corpus(seed)"))
    labels = [int(t) for t in rng.permutation(np.arange(count) % 2)]
    return [sentence(rng, t) for t in labels], labels


def text(diagram: Diagram) -> str:
    """The words of a sentence, in order."""
    return " ".join(box.name for box in diagram.boxes if isinstance(box, Word))


__all__ = ["corpus", "sentence", "text"]
