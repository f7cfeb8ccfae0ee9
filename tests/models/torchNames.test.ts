import { describe, expect, it } from 'vitest';
import { MODEL_IDS } from '../../src/contract/modelCatalog';
import { tfjsShapeOf, tfjsToTorch, torchShapeOf, torchToTfjs } from '../../src/interop/pytorch/layout';
import { torchBatchNormCounters, torchNames } from '../../src/interop/pytorch/stateDictNames/names';
import { buildNetwork } from '../../src/models/zoo';

describe('PyTorch names of the zoo', () => {
  // Builds every zoo model (ResNet50 and vgg19 are 20M+ draws each): 90 s on a loaded two-core machine.
  it('maps every variable of every zoo model, one to one, with a layout of its rank', { timeout: 600_000 }, () => {
    for (const id of MODEL_IDS) {
      const net = buildNetwork(id, { numClasses: 10, name: `names-${id}`, seed: 0 });
      try {
        const names = torchNames(id, net.params.named.keys());
        expect(names).toHaveLength(net.params.named.size);
        for (const { local, layout } of names) {
          const shape = net.params.named.get(local)!.shape;
          expect(() => torchShapeOf(layout, shape), `${id} ${local}`).not.toThrow();
        }
      } finally {
        net.dispose();
      }
    }
  });

  it("gives RepDistiller's names (resnet20, wrn_16_2, vgg8, MobileNetV2)", () => {
    const torchOf = (id: Parameters<typeof torchNames>[0], local: string) => torchNames(id, [local])[0];
    expect(torchOf('resnet20', 'stem/conv/kernel')).toEqual({ local: 'stem/conv/kernel', torch: 'conv1.weight', layout: 'conv2d' });
    expect(torchOf('resnet20', 'stage2/block0/shortcut/bn/runningVariance')?.torch).toBe('layer2.0.downsample.1.running_var');
    expect(torchOf('resnet20', 'stage3/block2/bn2/gamma')?.torch).toBe('layer3.2.bn2.weight');
    expect(torchOf('resnet20', 'fc/weight')).toEqual({ local: 'fc/weight', torch: 'fc.weight', layout: 'dense' });
    expect(torchOf('wrn_16_2', 'stage1/block0/shortcut/kernel')?.torch).toBe('block1.layer.0.convShortcut.weight');
    expect(torchOf('wrn_16_2', 'bn/beta')?.torch).toBe('bn1.bias');
    expect(torchOf('vgg8', 'block3/unit0/conv/bias')?.torch).toBe('block3.0.bias');
    expect(torchOf('vgg13', 'block1/unit1/bn/runningMean')?.torch).toBe('block1.4.running_mean');
    expect(torchOf('mobilenetv2', 'group3/block1/depthwise/conv/kernel')).toEqual({ local: 'group3/block1/depthwise/conv/kernel', torch: 'blocks.3.1.conv.3.weight', layout: 'depthwise' });
    expect(torchOf('mobilenetv2', 'classifier/bias')?.torch).toBe('classifier.0.bias');
    expect(torchBatchNormCounters(torchNames('resnet20', ['stem/bn/runningMean', 'stem/bn/runningVariance']))).toEqual(['bn1.num_batches_tracked']);
  });

  it("gives the reference code's names to REFILLED's WRN and the data-free KD ResNets", () => {
    const torchOf = (id: Parameters<typeof torchNames>[0], local: string) => torchNames(id, [local])[0]?.torch;
    expect(torchOf('wrn_16_2_refilled', 'stem/conv/bias')).toBe('conv1.bias');
    expect(torchOf('wrn_16_2_refilled', 'stage2/block0/shortcut/kernel')).toBe('layer2.0.shortcut.0.weight');
    expect(torchOf('wrn_16_2_refilled', 'stage3/block1/conv2/bias')).toBe('layer3.1.conv2.bias');
    expect(torchOf('wrn_40_1_refilled', 'stage1/block5/bn1/runningVariance')).toBe('layer1.5.bn1.running_var');
    expect(torchOf('wrn_16_1_refilled', 'bn/gamma')).toBe('bn.weight');
    expect(torchOf('resnet18_dfkd', 'stage2/block0/shortcut/bn/runningMean')).toBe('layer2.0.shortcut.1.running_mean');
    expect(torchOf('resnet34_dfkd', 'stage3/block5/conv2/kernel')).toBe('layer3.5.conv2.weight');
    expect(torchOf('resnet34_dfkd', 'fc/bias')).toBe('linear.bias');
  });

  it('refuses a local name it has no PyTorch name for, naming it', () => {
    expect(() => torchNames('resnet8', ['stem/conv/kernel', 'stem/extra/kernel'])).toThrow('"stem/extra/kernel"');
  });

  it('permutes each layout exactly and back', () => {
    // tfjs conv kernel [kh=2, kw=1, in=3, out=2]: value = 1000 kh + 100 kw + 10 in + out.
    const tfjsShape = [2, 1, 3, 2];
    const values = new Float32Array(12);
    let i = 0;
    for (let kh = 0; kh < 2; kh++) for (let ci = 0; ci < 3; ci++) for (let co = 0; co < 2; co++) values[i++] = 1000 * kh + 10 * ci + co;
    expect(torchShapeOf('conv2d', tfjsShape)).toEqual([2, 3, 2, 1]);
    const torch = tfjsToTorch('conv2d', values, tfjsShape);
    // torch [out, in, kh, kw]: element (co=1, ci=2, kh=1, kw=0) sits at ((1 * 3 + 2) * 2 + 1) * 1.
    expect(torch[(1 * 3 + 2) * 2 + 1]).toBe(1021);
    expect(torchToTfjs('conv2d', torch, [2, 3, 2, 1])).toEqual(values);
    expect(tfjsShapeOf('depthwise', [5, 1, 3, 3])).toEqual([3, 3, 5, 1]);
    const dense = new Float32Array([1, 2, 3, 4, 5, 6]); // [in=2, out=3]
    expect(tfjsToTorch('dense', dense, [2, 3])).toEqual(new Float32Array([1, 4, 2, 5, 3, 6]));
    const depthwise = Float32Array.from({ length: 18 }, (_, k) => k); // [3, 3, 2, 1]
    expect(torchToTfjs('depthwise', tfjsToTorch('depthwise', depthwise, [3, 3, 2, 1]), [2, 1, 3, 3])).toEqual(depthwise);
  });
});
