"""Binarised 8×8 handwritten digits, shipped with catlearn: a real data set with no download.

1,797 images of 64 pixels from the UCI "Optical Recognition of Handwritten
Digits" data (the copy scikit-learn ships as ``load_digits``), each pixel
set to 1 where its grey level (0..16) is at least 8. The split into
train / valid / test (1,257 / 180 / 360) is fixed in the file, so every
user and every anchor library trains and scores on the same examples::

    >>> x, y = binary_digits("train")
    >>> x.shape, x.dtype, sorted(set(x.ravel().tolist())), y.shape
    ((1257, 64), dtype('int32'), [0, 1], (1257,))
    >>> [binary_digits(s)[0].shape[0] for s in SPLITS]
    [1257, 180, 360, 1797]

Pixels are row-major (variable ``8 * row + col``), so ``quad_tree(8, 8)``
is the image's own region tree. The file is checked on every load (array
shapes, split sizes, label counts and a SHA-256 of the contents): a
damaged or altered file raises ``DataFileError`` instead of training on
wrong data. Provenance and licence are in ``catlearn/data/README.md``.
"""

from __future__ import annotations

import hashlib
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from catlearn.errors import ArgumentTypeError, ArgumentValueError, DataFileError

SPLITS = ("train", "valid", "test", "all")
THRESHOLD = 8  # a pixel is on where its grey level (0..16) is ≥ 8
SIDE = 8
N_IMAGES = 1797
SPLIT_SIZES = {"train": 1257, "valid": 180, "test": 360}
LABEL_COUNTS = (178, 182, 177, 183, 181, 182, 181, 179, 174, 180)
SHA256 = "60e5a1c1f5b9f5f4db68fdaaa4d9b843457d76a0defcd5243b8f858138740d0d"


def binary_digits(split: str = "train", path: str | Path | None = None) -> tuple[Any, Any]:
    """The ``split`` ("train", "valid", "test" or "all") as ``(pixels, labels)``:
    pixels ``(n, 64)`` int32 in {0, 1}, labels ``(n,)`` int32 in 0..9.

    ``path`` reads another copy of the file (the shipped one by default); it is
    validated like the shipped one.

        >>> x, y = binary_digits("test")
        >>> x.shape, int(y.max())
        ((360, 64), 9)
    """
    if not isinstance(split, str):
        raise ArgumentTypeError(f"binary_digits: split must be a str, got {type(split).__name__}")
    if split not in SPLITS:
        raise ArgumentValueError(f"binary_digits: split must be one of {SPLITS}, got {split!r:.40}")
    pixels, labels, which = _read(path)
    if split != "all":
        keep = which == SPLITS.index(split)
        pixels, labels = pixels[keep], labels[keep]
    return pixels, labels


def _read(path: str | Path | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Load and verify the file: all 1,797 images, labels and split codes (0, 1, 2)."""
    if path is None:
        source: Any = resources.files("catlearn").joinpath("data/digits.npz")
        name = "catlearn/data/digits.npz"
    else:
        source, name = Path(path), str(path)
    try:
        with source.open("rb") as stream, np.load(stream, allow_pickle=False) as npz:
            packed, labels, which = (np.asarray(npz[k]) for k in ("pixels", "labels", "split"))
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DataFileError(f"{name}: cannot read the digits ({error})") from None
    expected = {
        "pixels": (packed, (N_IMAGES, SIDE * SIDE // 8)),
        "labels": (labels, (N_IMAGES,)),
        "split": (which, (N_IMAGES,)),
    }
    for key, (array, shape) in expected.items():
        if array.shape != shape or array.dtype != np.uint8:
            raise DataFileError(
                f"{name}: '{key}' must be uint8 of shape {shape}, got {array.dtype} {array.shape}"
            )
    digest = hashlib.sha256()
    for array in (packed, labels, which):
        digest.update(np.ascontiguousarray(array).tobytes())
    if digest.hexdigest() != SHA256:
        raise DataFileError(
            f"{name}: checksum mismatch (SHA-256 {digest.hexdigest()[:16]}…, expected "
            f"{SHA256[:16]}…): the file is damaged or is not catlearn's digits"
        )
    # Unreachable with the checksum intact; kept so that a deliberate change of the
    # file (and of SHA256) still has to keep the documented counts.
    counts = np.bincount(labels, minlength=10)
    sizes = np.bincount(which, minlength=3)
    if tuple(counts.tolist()) != LABEL_COUNTS or sizes.tolist() != list(SPLIT_SIZES.values()):
        raise DataFileError(f"{name}: label counts {counts.tolist()} or split sizes "
                            f"{sizes.tolist()} differ from the documented ones")  # fmt: skip
    pixels = np.unpackbits(packed, axis=1).astype(np.int32)
    return pixels, labels.astype(np.int32), which
