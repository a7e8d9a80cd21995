"""The shipped binarised digits: shapes, the fixed split, and a damaged file refused."""

import zipfile

import numpy as np
import pytest

from catlearn.errors import ArgumentTypeError, ArgumentValueError, CatlearnError, DataFileError
from catlearn.learn.digits import SPLIT_SIZES, binary_digits


@pytest.fixture(scope="module")
def every():
    return binary_digits("all")


def test_shapes_values_and_labels(every):
    x, y = every
    assert x.shape == (1797, 64) and x.dtype == np.int32 and y.dtype == np.int32
    assert set(np.unique(x).tolist()) == {0, 1}
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert 0.25 < x.mean() < 0.4  # ≥ 8 of 0..16 lights about a third of the pixels


def test_splits_partition_the_data(every):
    x, y = every
    parts = {s: binary_digits(s) for s in SPLIT_SIZES}
    assert {s: len(p[0]) for s, p in parts.items()} == SPLIT_SIZES
    # train, valid and test together are the whole set, each image once
    rows = np.concatenate([np.concatenate([p[0], p[1][:, None]], 1) for p in parts.values()])
    whole = np.concatenate([x, y[:, None]], 1)
    assert sorted(map(bytes, rows.astype(np.uint8))) == sorted(map(bytes, whole.astype(np.uint8)))
    for s, (_, ys) in parts.items():  # every digit appears in every split
        assert set(ys.tolist()) == set(range(10)), s


def test_pixels_are_row_major_images(every):
    x, y = every
    # a zero has a hole: its mean image is dark at the centre, lit in columns 2 and 5
    zero = x[y == 0].mean(0).reshape(8, 8)
    assert zero[3:5, 3:5].mean() < 0.1 and zero[3:5, 2].mean() > 0.8 and zero[3:5, 5].mean() > 0.5


def _rewrite(source, target, **change):
    with np.load(source) as npz:
        arrays = {k: npz[k].copy() for k in npz.files}
    arrays.update(change)
    np.savez_compressed(target, **arrays)


@pytest.fixture(scope="module")
def shipped():
    from importlib import resources

    return resources.files("catlearn").joinpath("data/digits.npz")


def test_an_intact_copy_loads(tmp_path, shipped):
    copy = tmp_path / "digits.npz"
    _rewrite(shipped, copy)
    assert np.array_equal(binary_digits("test", path=copy)[0], binary_digits("test")[0])


def test_one_flipped_pixel_fails_the_checksum(tmp_path, shipped):
    with np.load(shipped) as npz:
        pixels = npz["pixels"].copy()
    pixels[5, 3] ^= 1  # one pixel of one image
    _rewrite(shipped, tmp_path / "d.npz", pixels=pixels)
    with pytest.raises(DataFileError, match="checksum"):
        binary_digits(path=tmp_path / "d.npz")


def test_a_relabelled_image_fails_the_checksum(tmp_path, shipped):
    with np.load(shipped) as npz:
        labels = npz["labels"].copy()
    labels[0] = (labels[0] + 1) % 10
    _rewrite(shipped, tmp_path / "d.npz", labels=labels)
    with pytest.raises(DataFileError, match="checksum"):
        binary_digits(path=tmp_path / "d.npz")


def test_wrong_shapes_and_missing_arrays_are_named(tmp_path, shipped):
    with np.load(shipped) as npz:
        pixels = npz["pixels"]
    _rewrite(shipped, tmp_path / "short.npz", pixels=pixels[:-1])
    with pytest.raises(DataFileError, match="'pixels' must be uint8 of shape"):
        binary_digits(path=tmp_path / "short.npz")
    np.savez(tmp_path / "missing.npz", pixels=pixels)
    with pytest.raises(DataFileError, match="cannot read"):
        binary_digits(path=tmp_path / "missing.npz")


def test_truncated_or_absent_file(tmp_path, shipped):
    data = shipped.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFileError, match="cannot read"):
        binary_digits(path=tmp_path / "cut.npz")
    with pytest.raises(DataFileError, match="cannot read"):
        binary_digits(path=tmp_path / "nowhere.npz")
    assert issubclass(DataFileError, CatlearnError) and issubclass(DataFileError, ValueError)
    assert not issubclass(DataFileError, zipfile.BadZipFile)


def test_bad_split_argument():
    with pytest.raises(ArgumentValueError, match="split must be one of"):
        binary_digits("validation")
    with pytest.raises(ArgumentTypeError, match="split must be a str"):
        binary_digits(0)
