#!/usr/bin/env python3
"""Checks that every #include "..." in src/ runs downward along the request path.

The layers, top to bottom (docs/architecture.md, "Layers"):

    app -> frontend -> protocol -> core -> config, repository, scheduler
        -> backends -> types -> common

A file may include headers of its own top folder and of the folders its
layer lists in ALLOWED. Inside backends/, a backend's folder may include
backends/*.h and backends/sdk/ but never another backend's folder. Generated
protobuf headers (no folder in the name) belong to the layer GENERATED names.

    scripts/check_includes.py [SRC_DIR]    prints each bad include, exits 1 if any
"""
import pathlib
import re
import sys

ALLOWED = {
    "app": {"frontend", "protocol", "core", "config", "repository", "scheduler", "backends", "types", "common"},
    "frontend": {"protocol", "core", "config", "types", "common"},
    "protocol": {"core", "types", "common"},
    "core": {"config", "repository", "scheduler", "backends", "types", "common"},
    "config": {"repository", "types", "common"},
    "repository": {"types", "common"},
    "scheduler": {"backends", "types", "common"},
    "backends": {"types", "common"},
    "types": {"common"},
    "common": set(),
}

# Generated headers and the lowest layer that may include each.
GENERATED = {
    "model_config.pb.h": {"app", "frontend", "protocol", "core", "config", "repository", "scheduler", "backends"},
    "grpc_service.pb.h": {"app", "frontend", "protocol"},
    "grpc_service.grpc.pb.h": {"app", "frontend"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
BACKENDS_SHARED = {"sdk"}  # backends/<folder> every backend may use


def problem(source: pathlib.PurePosixPath, target: str) -> str | None:
    """Why `source` (relative to src/) may not include `target`; None if it may."""
    layer = source.parts[0]
    if "/" not in target:
        if target in GENERATED:
            return None if layer in GENERATED[target] else f"{layer}/ may not include generated {target}"
        return None  # a header beside the file, included by its bare name
    target_layer = target.split("/", 1)[0]
    if target_layer not in ALLOWED:
        return None  # not one of ours (third-party headers use <...>, but be lenient)
    if target_layer == layer:
        if layer == "backends" and len(source.parts) > 2:
            return backend_folder_problem(source.parts[1], target)
        return None
    if target_layer not in ALLOWED[layer]:
        return (f"{layer}/ sits above {target_layer}/ or beside it; it may include only "
                f"{', '.join(sorted(ALLOWED[layer])) or 'its own folder'}")
    return None


def backend_folder_problem(folder: str, target: str) -> str | None:
    parts = target.split("/")
    if len(parts) == 2 or parts[1] == folder or parts[1] in BACKENDS_SHARED:
        return None
    return f"backends/{folder}/ may not include another backend's header ({target}); share it through backends/sdk/"


def check(src_dir: pathlib.Path) -> list[str]:
    problems = []
    for path in sorted(src_dir.rglob("*")):
        if path.suffix not in (".h", ".cc") or not path.is_file():
            continue
        relative = pathlib.PurePosixPath(path.relative_to(src_dir).as_posix())
        if relative.parts[0] not in ALLOWED:
            problems.append(f"{relative}: top folder {relative.parts[0]}/ is not in the layer table")
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            match = INCLUDE.match(line)
            if match:
                why = problem(relative, match.group(1))
                if why:
                    problems.append(f"src/{relative}:{number}: #include \"{match.group(1)}\": {why}")
    return problems


def main(argv: list[str]) -> int:
    src_dir = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent / "src")
    problems = check(src_dir)
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print(f"check_includes: {len(problems)} include(s) against the layer table in "
              "scripts/check_includes.py (docs/architecture.md, Layers)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
