"""The PyTorch models have the zoo's parameter counts (src/contract/modelCatalog.ts, 10 classes) and one step runs."""
import unittest

from bench_train_step import MODELS, time_steps


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


if __name__ == "__main__":
    unittest.main()
