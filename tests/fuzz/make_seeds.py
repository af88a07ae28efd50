"""Writes seed inputs that the fuzzers would take long to find alone: small
valid PNG and JPEG files for image_decode_fuzzer, and serialized
ModelInferRequests (raw, typed and BYTES contents, parameters) for
grpc_infer_request_fuzzer. Generated at fuzz time so no binary files are
committed.

Usage: python tests/fuzz/make_seeds.py CORPUS_ROOT
"""

import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from tritonclient.grpc import service_pb2


def write_images(folder):
    folder.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (32, 16), (255, 255, 255))
    ImageDraw.Draw(image).rectangle((4, 4, 20, 11), fill=(0, 0, 0))
    for name, mode, fmt in (("seed.png", "RGB", "PNG"), ("seed_alpha.png", "RGBA", "PNG"),
                            ("seed_grey.png", "L", "PNG"), ("seed.jpg", "RGB", "JPEG"),
                            ("seed_grey.jpg", "L", "JPEG")):
        buffer = io.BytesIO()
        image.convert(mode).save(buffer, fmt)
        (folder / name).write_bytes(buffer.getvalue())


def infer_request(datatype, shape):
    request = service_pb2.ModelInferRequest(model_name="simple", model_version="1", id="seed")
    tensor = request.inputs.add(name="INPUT0", datatype=datatype)
    tensor.shape.extend(shape)
    request.outputs.add(name="OUTPUT0")
    return request, tensor


def write_requests(folder):
    folder.mkdir(parents=True, exist_ok=True)
    raw, _ = infer_request("INT32", [1, 16])
    raw.raw_input_contents.append(np.arange(16, dtype=np.int32).tobytes())
    raw.parameters["priority"].uint64_param = 1
    raw.parameters["timeout"].int64_param = 1000
    typed, tensor = infer_request("FP32", [2, 2])
    tensor.contents.fp32_contents.extend([0.5, 1.5, -2.0, 3.25])
    strings, tensor = infer_request("BYTES", [1, 2])
    tensor.contents.bytes_contents.extend([b"12", b"-7"])
    half, _ = infer_request("FP16", [1, 2])
    half.raw_input_contents.append(np.array([1.0, 2.0], dtype=np.float16).tobytes())
    for name, request in (("raw", raw), ("typed", typed), ("bytes", strings), ("fp16", half)):
        (folder / f"seed_{name}.pb").write_bytes(request.SerializeToString())


def main(root):
    root = Path(root)
    write_images(root / "image_decode")
    write_requests(root / "grpc_infer_request")


if __name__ == "__main__":
    main(sys.argv[1])
