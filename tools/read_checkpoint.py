#!/usr/bin/python3
"""Reads a jhr safetensors file (or the latest checkpoint of a checkpoint directory) with only the
Python standard library and numpy, and prints its metadata, tensor names, dtypes, shapes and a CRC-32
and sum per tensor. For files that carry jhr checksums (metadata data_crc32 / header_crc32, see
docs/checkpoints.md) it verifies them and exits with status 1 on a mismatch or a malformed file.

usage: read_checkpoint.py [--json] PATH     PATH: a .safetensors file or a checkpoint directory
"""
import json
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64, "U8": np.uint8}
CHECKSUM_KEYS = ("data_crc32", "header_crc32")


def fail(message):
    print(f"read_checkpoint.py: {message}", file=sys.stderr)
    sys.exit(1)


def resolve(path):
    path = Path(path)
    if path.is_dir():
        latest = path / "latest"
        if latest.is_file():
            path = path / latest.read_text().strip()
        if path.is_dir():
            path = path / "model.safetensors"
    return path


def read(path):
    raw = path.read_bytes()
    if len(raw) < 8:
        fail(f"{path}: file too short")
    (length,) = struct.unpack("<Q", raw[:8])
    if length > len(raw) - 8:
        fail(f"{path}: header length {length} exceeds the file")
    header = json.loads(raw[8 : 8 + length].decode("utf-8"))
    data = raw[8 + length :]
    metadata = header.pop("__metadata__", {})
    entries = sorted(header.items(), key=lambda item: item[1]["data_offsets"])
    position = 0
    tensors = []
    for name, info in entries:
        begin, end = info["data_offsets"]
        dtype = np.dtype(DTYPES[info["dtype"]]).newbyteorder("<")
        shape = tuple(info["shape"])
        if begin != position or end - begin != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            fail(f"{path}: tensor {name!r} has data_offsets {info['data_offsets']} that do not fit")
        values = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize, offset=begin).reshape(shape)
        tensors.append({"name": name, "dtype": info["dtype"], "shape": list(shape),
                        "crc32": zlib.crc32(data[begin:end]), "sum": float(values.sum(dtype=np.float64))})
        position = end
    if position != len(data):
        fail(f"{path}: {len(data) - position} trailing bytes")
    return metadata, header, data, tensors


def check_checksums(metadata, header, data):
    if not all(key in metadata for key in CHECKSUM_KEYS):
        return "absent"
    canonical = dict(header)
    canonical["__metadata__"] = {k: v for k, v in metadata.items() if k not in CHECKSUM_KEYS}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if f"{zlib.crc32(data):08x}" != metadata["data_crc32"]:
        return "data section CRC-32 mismatch"
    if f"{zlib.crc32(text.encode('utf-8')):08x}" != metadata["header_crc32"]:
        return "header CRC-32 mismatch"
    return "ok"


def main(argv):
    as_json = "--json" in argv
    paths = [a for a in argv if a != "--json"]
    if len(paths) != 1:
        fail(__doc__.strip().splitlines()[-1])
    path = resolve(paths[0])
    try:
        metadata, header, data, tensors = read(path)
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail(f"{path}: {e}")
    checksums = check_checksums(metadata, header, data)
    if as_json:
        print(json.dumps({"path": str(path), "metadata": metadata, "tensors": tensors, "checksums": checksums}))
    else:
        print(path)
        for key, value in sorted(metadata.items()):
            print(f"  {key} = {value if len(value) <= 70 else value[:67] + '...'}")
        for t in tensors:
            print(f"  {t['name']:40s} {t['dtype']:4s} {str(t['shape']):20s} crc32 {t['crc32']:08x} sum {t['sum']:.6g}")
        print(f"  checksums: {checksums}")
    return 0 if checksums in ("ok", "absent") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
