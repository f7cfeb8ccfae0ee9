/** A saved-model file pair (model.json + weights) built in the test with the project's own encoder, no training. */
import * as tf from '@tensorflow/tfjs';
import { encodeNetwork } from '../src/models/networkWeights';
import { buildNetwork } from '../src/models/zoo';

export async function tinyCnnModelFiles(name: string, classNames: readonly string[]): Promise<{ name: string; mimeType: string; buffer: Buffer }[]> {
  await tf.setBackend('cpu');
  const net = buildNetwork('tiny-cnn', { numClasses: classNames.length, name: 'fixture', seed: 1 });
  try {
    const { json, weights } = await encodeNetwork(net, { name, dataset: 'cifar10-subset', classNames, testAccuracy: null, trainedWith: 'untrained (test fixture)', savedAt: Date.UTC(2026, 0, 1) });
    const weightsName = json.weightsManifest[0].paths[0];
    return [
      { name: `${weightsName.replace(/\.weights\.bin$/, '')}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) },
      { name: weightsName, mimeType: 'application/octet-stream', buffer: Buffer.from(weights) },
    ];
  } finally {
    net.dispose();
  }
}
