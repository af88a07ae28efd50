#!/usr/bin/env python3
"""Tests of scripts/check_includes.py: the real tree passes, and a bad include
fed to it in a scratch tree fails it with a message naming the line."""
import pathlib
import subprocess
import sys
import tempfile
import unittest

SCRIPT = pathlib.Path(__file__).resolve().parent / "check_includes.py"
SRC = SCRIPT.parent.parent / "src"


def run_check(src_dir):
    return subprocess.run([sys.executable, str(SCRIPT), str(src_dir)], capture_output=True, text=True)


def scratch_tree(files):
    root = pathlib.Path(tempfile.mkdtemp(prefix="check_includes_"))
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


class CheckIncludesTest(unittest.TestCase):
    def test_the_source_tree_follows_the_layer_table(self):
        result = run_check(SRC)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_an_upward_include_fails_and_names_the_line(self):
        root = scratch_tree({
            "types/tensor.h": '#pragma once\n#include "common/status.h"\n#include "core/server.h"\n',
            "core/server.h": "#pragma once\n",
        })
        result = run_check(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn('src/types/tensor.h:3: #include "core/server.h"', result.stderr)
        self.assertIn("may include only common", result.stderr)

    def test_one_backend_may_not_include_another(self):
        root = scratch_tree({
            "backends/ocr/ocr_backend.cc": '#include "backends/backend.h"\n#include "backends/sdk/a.h"\n'
                                           '#include "backends/onnxruntime/ort_errors.h"\n',
        })
        result = run_check(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("ocr_backend.cc:3", result.stderr)
        self.assertNotIn("ocr_backend.cc:1", result.stderr)
        self.assertNotIn("ocr_backend.cc:2", result.stderr)

    def test_generated_grpc_headers_stay_above_core(self):
        root = scratch_tree({"scheduler/a.cc": '#include "model_config.pb.h"\n#include "grpc_service.pb.h"\n'})
        result = run_check(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("a.cc:2", result.stderr)
        self.assertNotIn("a.cc:1", result.stderr)

    def test_a_folder_outside_the_table_is_reported(self):
        result = run_check(scratch_tree({"newlayer/a.h": "#pragma once\n"}))
        self.assertEqual(result.returncode, 1)
        self.assertIn("not in the layer table", result.stderr)


if __name__ == "__main__":
    unittest.main()
