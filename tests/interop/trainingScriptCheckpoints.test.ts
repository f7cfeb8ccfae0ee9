/**
 * The three files RepDistiller's train_teacher.py writes (and CA-MKD's after it), each made by torch.save
 * with Debian's PyTorch as the script makes it: `ckpt_epoch_240.pth` {'epoch', 'model', 'accuracy',
 * 'optimizer'}, `resnet20_best.pth` with 'best_acc', and `resnet20_last.pth`, whose 'opt' is the script's
 * argparse Namespace. Each imports, and what it records of its run reaches the saved model. The accuracies
 * are 0-d tensors, as the script's AverageMeter leaves them. Needs a Python with torch: skipped without
 * one, failed without one under REQUIRE_TORCH=1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTorchCheckpoint } from '../../src/interop/pytorch/checkpoint';
import { importTorchCheckpoint } from '../../src/models/torch/importCheckpoint';
import { findTorchPython } from '../../scripts/torchPython.mjs';
import { parityDir } from '../helpers/torchParity';

const PYTHON = findTorchPython();
if (!PYTHON && process.env.REQUIRE_TORCH === '1') throw new Error('no Python with torch: install python3-torch, or set PYTHON');

// As train_teacher.py: `opt` from parse_option(), test_acc from validate() (a 0-d tensor), three saves.
const WRITE_CHECKPOINTS = `
import argparse, sys, torch
out, parity = sys.argv[1], sys.argv[2]
source = torch.load(parity + "/resnet20.pth", map_location="cpu")
model, optimizer = source["model"], source["optimizer"]
opt = argparse.Namespace(print_freq=100, batch_size=64, epochs=240, learning_rate=0.05, lr_decay_epochs=[150, 180, 210],
                         model="resnet20", dataset="cifar100", trial="0", model_path="./save/models",
                         model_name="resnet20_cifar100_lr_0.05_decay_0.0005_trial_0")
torch.save({"epoch": 240, "model": model, "accuracy": torch.tensor(69.06), "optimizer": optimizer}, out + "/ckpt_epoch_240.pth")
torch.save({"epoch": 231, "model": model, "best_acc": torch.tensor(69.34), "optimizer": optimizer}, out + "/resnet20_best.pth")
torch.save({"opt": opt, "model": model, "optimizer": optimizer}, out + "/resnet20_last.pth")
`;

let folder = '';
const file = (name: string) => new Uint8Array(readFileSync(path.join(folder, name)));

describe.skipIf(!PYTHON)("RepDistiller's own checkpoint files, written by PyTorch", () => {
  beforeAll(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'distillery-training-checkpoints-'));
    const run = spawnSync(PYTHON!, ['-c', WRITE_CHECKPOINTS, folder, parityDir()], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('ckpt_epoch_240.pth: its epoch and recorded accuracy become the saved model\'s', () => {
    const imported = importTorchCheckpoint(file('ckpt_epoch_240.pth'), { fileName: 'ckpt_epoch_240.pth' });
    expect(imported.checkpoint.layout).toBe('training-checkpoint');
    expect(imported.checkpoint.record).toEqual({ epoch: 240, accuracy: { key: 'accuracy', value: expect.closeTo(0.6906, 6) } });
    const metadata = imported.json.userDefinedMetadata;
    expect(metadata.testAccuracy).toBeCloseTo(0.6906, 6);
    expect(metadata.trainedWith).toBe("Imported from PyTorch (torch-zip, training-checkpoint); its script recorded epoch 240, test accuracy 69.06% ('accuracy')");
  });

  it("resnet20_best.pth: 'best_acc' is read as its accuracy", () => {
    const { record } = readTorchCheckpoint(file('resnet20_best.pth'));
    expect(record).toEqual({ epoch: 231, accuracy: { key: 'best_acc', value: expect.closeTo(0.6934, 6) } });
  });

  it("resnet20_last.pth: the script's argparse options are read as a record, never refused or run", () => {
    const imported = importTorchCheckpoint(file('resnet20_last.pth'), { fileName: 'resnet20_last.pth' });
    expect(imported.model).toBe('resnet20');
    expect(imported.checkpoint.record).toEqual({ options: { model: 'resnet20', dataset: 'cifar100', epochs: 240 } });
    const metadata = imported.json.userDefinedMetadata;
    expect(metadata.dataset).toBe('cifar100');
    expect(metadata.testAccuracy).toBeNull();
    expect(metadata.trainedWith).toContain('its script recorded opt.model resnet20, opt.dataset cifar100, opt.epochs 240');
    // The weights are the source's, whatever else the file holds.
    const source = readTorchCheckpoint(file('ckpt_epoch_240.pth'));
    expect(imported.weights.byteLength).toBe([...source.tensors.values()].reduce((sum, t) => sum + t.toFloat32().length * 4, 0));
  });
});
