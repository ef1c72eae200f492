#!/usr/bin/env python3
"""Writes Fashion-MNIST (the installed IDX files) as a folder of PNG images, one sub-folder per class.

    python3 ssl-examples/scripts/fashion-mnist-to-png.py OUT                       # train split, all 60,000
    python3 ssl-examples/scripts/fashion-mnist-to-png.py OUT --split test --limit 2000
    python3 ssl-examples/scripts/fashion-mnist-to-png.py OUT --flat                # no class folders

Each image becomes OUT/<class>/<index>.png (8-bit grey, 28x28, index = its position in the IDX file,
zero-padded to 5 digits, so the folder's sorted order within a class is the file's order). With
--flat, OUT/<index>.png: sorted order is the IDX order, so an ImageFolderSource over OUT has the
same example indices as the IDX arrays (used by the throughput and equal-loss comparison in
docs/benchmarks.md). Standard library only (the PNG encoder is 20 lines).
"""
import argparse
import gzip
import pathlib
import struct
import zlib

CLASSES = ["t-shirt-top", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def read_idx(path: pathlib.Path):
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file (magic {data[:4].hex()})")
    dims = list(struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim]))
    return dims, data[4 + 4 * ndim:]


def png_grey(width: int, height: int, pixels: bytes) -> bytes:
    """An 8-bit greyscale PNG (colour type 0), no interlace, filter type 0 on every row."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b""))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=pathlib.Path, help="output folder (created)")
    p.add_argument("--src", type=pathlib.Path, default=pathlib.Path("/usr/share/datasets/fashion-mnist"),
                   help="folder of the IDX files (default %(default)s)")
    p.add_argument("--split", choices=["train", "test"], default="train")
    p.add_argument("--limit", type=int, default=-1, help="first N images only (-1: all)")
    p.add_argument("--flat", action="store_true", help="no class sub-folders: OUT/<index>.png")
    a = p.parse_args()
    prefix = "train" if a.split == "train" else "t10k"
    (n, h, w), pixels = read_idx(a.src / f"{prefix}-images-idx3-ubyte.gz")
    (n_labels,), labels = read_idx(a.src / f"{prefix}-labels-idx1-ubyte.gz")
    if n_labels != n:
        raise SystemExit(f"{n} images but {n_labels} labels")
    count = n if a.limit < 0 else min(a.limit, n)
    for i in range(count):
        folder = a.out if a.flat else a.out / CLASSES[labels[i]]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:05d}.png").write_bytes(png_grey(w, h, pixels[i * h * w:(i + 1) * h * w]))
    print(f"wrote {count} PNG images of {h}x{w} to {a.out}")


if __name__ == "__main__":
    main()
