"""Learning on top of the functors: optax training loops and parametrised lenses.

``fit`` trains any pure ``apply(params, *inputs)`` (a compiled diagram's
``apply`` above all) with an optax optimiser; ``evaluate`` scores it;
``lens`` builds the parametrised lens (forward map and reverse map) of a
diagram by composing its boxes' lenses as the diagram composes them;
``RDA`` learns a polynomial circuit's parameters over any ring (Boolean
circuits over GF2) by Reverse Derivative Ascent. ``Corpus`` learns word
meanings from a corpus of sentence diagrams (DisCoCat), one compiled
program per grammatical structure, under a ``TensorAnsatz`` (words as
tensors) or an ``IQPAnsatz`` (words as quantum states). ``binary_digits``
loads the shipped binarised 8×8 digits (train, valid and test splits).
"""

from catlearn.learn.ansatz import TensorAnsatz
from catlearn.learn.corpus import Corpus, Vocabulary
from catlearn.learn.digits import binary_digits
from catlearn.learn.fit import History, accuracy, evaluate, fit
from catlearn.learn.iqp import IQPAnsatz
from catlearn.learn.lens import Lens, lens
from catlearn.learn.rda import RDA, RDAHistory

__all__ = [
    "RDA",
    "Corpus",
    "History",
    "IQPAnsatz",
    "Lens",
    "RDAHistory",
    "TensorAnsatz",
    "Vocabulary",
    "accuracy",
    "binary_digits",
    "evaluate",
    "fit",
    "lens",
]
