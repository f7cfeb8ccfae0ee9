"""The PyTorch models have the zoo's parameter counts (src/contract/modelCatalog.ts, 10 classes); scratch and KD steps run."""
import unittest

import json
import subprocess
import sys
from pathlib import Path

import torch

from bench_train_step import MODELS, pick_device, time_steps


def count(model):
    return sum(p.numel() for p in model.parameters())


class ModelsMatchTheZoo(unittest.TestCase):
    def test_parameter_counts(self):
        # tiny-cnn: 3 bias-free convs (as src/models/tinyCnn.ts) + 3 BN + fc; resnet8: RepDistiller's (78 042).
        self.assertEqual(count(MODELS["tiny-cnn"]()), 3 * 9 * 16 + 16 * 9 * 32 + 32 * 9 * 64 + 2 * (16 + 32 + 64) + 64 * 10 + 10)
        self.assertEqual(count(MODELS["resnet8"]()), 78042)

    def test_one_step_runs(self):
        result = time_steps("tiny-cnn", batch=4, warmup=0, steps=1)
        self.assertGreater(result["images_per_second"], 0)
        self.assertEqual(result["method"], "scratch")

    def test_kd_step_runs_with_a_frozen_teacher(self):
        result = time_steps("tiny-cnn", batch=4, warmup=1, steps=1, method="kd")
        self.assertEqual(result["method"], "kd")
        self.assertGreater(result["images_per_second"], 0)
        self.assertGreater(result["first_step_seconds"], 0)

    def test_auto_device_is_cuda_only_when_present(self):
        self.assertEqual(pick_device("auto").type, "cuda" if torch.cuda.is_available() else "cpu")

    def test_prints_one_json_object_with_its_device(self):
        script = Path(__file__).with_name("bench_train_step.py")
        output = subprocess.run([sys.executable, str(script), "--batch", "4", "--warmup", "0", "--steps", "1", "--methods", "scratch,kd", "tiny-cnn"], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(script.parent)}).stdout
        parsed = json.loads(output)
        self.assertIn(parsed["device"], ("cpu", "cuda"))
        self.assertEqual([(r["model"], r["method"]) for r in parsed["results"]], [("tiny-cnn", "scratch"), ("tiny-cnn", "kd")])


if __name__ == "__main__":
    unittest.main()
