#!/usr/bin/env python3
"""Cuts the Fashion-MNIST sample bundled with ssl-examples from the full IDX files.

The sample is the first TRAIN training and the first TEST test images and labels, in the
original IDX format, gzipped with a zero timestamp so that the same input gives the same bytes.
Standard library only.

    python3 ssl-examples/scripts/make-fashion-mnist-sample.py                 # defaults below
    python3 ssl-examples/scripts/make-fashion-mnist-sample.py --src DIR --train 10000 --test 2000

After changing the counts, update NOTICE.md next to the files and FashionMnist's javadoc.
"""
import argparse
import gzip
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "src/main/resources/io/github/ssl4j/examples/fashion-mnist-sample"


def cut(src: pathlib.Path, dst: pathlib.Path, count: int) -> None:
    """Writes the first `count` items of the gzipped IDX file `src` to `dst` (gzipped IDX)."""
    data = gzip.decompress(src.read_bytes())
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"{src}: not an unsigned-byte IDX file (magic {data[:4].hex()})")
    dims = list(struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim]))
    if count > dims[0]:
        raise SystemExit(f"{src} holds {dims[0]} items, fewer than the {count} asked for")
    item = 1
    for d in dims[1:]:
        item *= d
    header = 4 + 4 * ndim
    body = data[header : header + count * item]
    dims[0] = count
    out = data[:4] + struct.pack(">" + "I" * ndim, *dims) + body
    dst.write_bytes(gzip.compress(out, compresslevel=9, mtime=0))
    print(f"{dst}: {count} items, {dst.stat().st_size} bytes")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--src", type=pathlib.Path, default=pathlib.Path("/usr/share/datasets/fashion-mnist"),
                   help="directory with the four full *-ubyte.gz files (default: %(default)s)")
    p.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="output directory (default: the bundled sample)")
    p.add_argument("--train", type=int, default=10000, help="training images (default: %(default)s)")
    p.add_argument("--test", type=int, default=2000, help="test images (default: %(default)s)")
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    for prefix, count in (("train", a.train), ("t10k", a.test)):
        for kind in ("images-idx3", "labels-idx1"):
            name = f"{prefix}-{kind}-ubyte.gz"
            cut(a.src / name, a.out / name, count)


if __name__ == "__main__":
    main()
