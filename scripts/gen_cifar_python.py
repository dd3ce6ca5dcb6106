"""Writes a small CIFAR-10 Python version (cifar-10-batches-py) in the layout of the real files,
plus the same images as the binary version, for test/data/cifar10_python.test.ts.

The real batches were written in 2009 by Python 2's cPickle (protocol 2) with the numpy of then:
dict keys and strings are Python 2 `str` (SHORT_BINSTRING/BINSTRING opcodes, read back by
Python 3 only with `encoding='bytes'` or 'latin1'); `data` is a uint8 ndarray reduced as
`numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), 'b')` + BUILD
`(1, shape, dtype, False, raw)`, its dtype as `numpy.dtype('u1', 0, 1)` + BUILD
`(3, '|', None, None, None, -1, -1, 0)` (old numpy built the dtype's arguments as ints, today's
as booleans). Python 3's own pickler writes `bytes` as `_codecs.encode(...)` calls instead, so
this script emits Python 2's opcodes for bytes itself, with the same reductions numpy makes, and
then checks with `pickle.load(f, encoding='bytes')` that Python reads it back.

usage: gen_cifar_python.py OUT_DIR [IMAGES_PER_BATCH]; prints a JSON summary of what Python read.
"""

import io
import json
import os
import pickle
import struct
import sys

import numpy as np
from numpy.core import multiarray

LABEL_NAMES = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse", b"ship", b"truck"]


class Py2Pickler(pickle._Pickler):
    """Python 3's pure-Python pickler, writing bytes as Python 2 str and numpy objects as old numpy reduced them."""

    dispatch = pickle._Pickler.dispatch.copy()

    def save_py2_str(self, obj):
        n = len(obj)
        if n < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([n]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", n) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_py2_str

    def reducer_override(self, obj):
        if isinstance(obj, np.ndarray):
            fortran = not obj.flags.c_contiguous
            state = (1, obj.shape, obj.dtype, fortran, obj.tobytes(order="F" if fortran else "C"))
            return (multiarray._reconstruct, (np.ndarray, (0,), b"b"), state)
        if isinstance(obj, np.dtype):
            order, code = obj.str[0], obj.str[1:]  # '|u1', '<f8'
            return (np.dtype, (code.encode(), 0, 1), (3, order.encode(), None, None, None, -1, -1, 0))
        return NotImplemented


def dump(obj, path):
    buf = io.BytesIO()
    Py2Pickler(buf, protocol=2).dump(obj)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


def main():
    out = sys.argv[1]
    per_batch = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    py_dir = os.path.join(out, "cifar-10-batches-py")
    bin_dir = os.path.join(out, "cifar-10-batches-bin")
    os.makedirs(py_dir, exist_ok=True)
    os.makedirs(bin_dir, exist_ok=True)
    rng = np.random.default_rng(17)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    summary = {}
    for b, name in enumerate(names):
        data = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, size=per_batch)]
        label = f"training batch {b + 1} of 5" if b < 5 else "testing batch 1 of 1"
        # the key order of the real files (Python 2's dict order for these four keys)
        batch = {
            b"data": data,
            b"labels": labels,
            b"batch_label": label.encode(),
            b"filenames": [f"image_{b}_{i:06d}.png".encode() for i in range(per_batch)],
        }
        dump(batch, os.path.join(py_dir, name))
        with open(os.path.join(bin_dir, name + ".bin"), "wb") as f:
            for row, y in zip(data, labels):
                f.write(bytes([y]) + row.tobytes())
        with open(os.path.join(py_dir, name), "rb") as f:
            back = pickle.load(f, encoding="bytes")
        assert back[b"data"].dtype == np.uint8 and (back[b"data"] == data).all()
        summary[name] = {
            "shape": list(back[b"data"].shape),
            "pixel_sum": int(back[b"data"].astype(np.int64).sum()),
            "labels": back[b"labels"],
        }
    dump(
        {b"num_cases_per_batch": per_batch, b"label_names": LABEL_NAMES, b"num_vis": 3072},
        os.path.join(py_dir, "batches.meta"),
    )
    write_refused(os.path.join(out, "refused"), per_batch)
    print(json.dumps(summary))


class Evil:
    """What a malicious batch would hold: unpickling it in Python runs a shell command."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def write_refused(folder, n):
    """Files that look like batches but hold what the real ones never do: each must be refused."""
    os.makedirs(folder, exist_ok=True)
    labels = [0] * n
    pixels = np.zeros((n, 3072), dtype=np.uint8)
    marker = os.path.join(folder, "evil_ran")
    dump({b"data": Evil(marker), b"labels": labels}, os.path.join(folder, "evil"))
    dump({b"data": pixels.astype(np.float64), b"labels": labels}, os.path.join(folder, "float64"))
    dump({b"data": np.asfortranarray(pixels.reshape(n, 3, 1024)).reshape(n, 3072, order="F"), b"labels": labels}, os.path.join(folder, "fortran"))
    # Python 3's own protocol-2 pickle of the same dict: bytes become _codecs.encode calls
    with open(os.path.join(folder, "python3_pickle"), "wb") as f:
        pickle.dump({b"data": pixels, b"labels": labels}, f, protocol=2)
    dump({b"data": np.ascontiguousarray(pixels[:, :1024]), b"labels": labels}, os.path.join(folder, "narrow"))
    dump({b"data": pixels, b"labels": [11] + labels[1:]}, os.path.join(folder, "bad_label"))
    dump({b"labels": labels}, os.path.join(folder, "no_data"))


if __name__ == "__main__":
    main()
