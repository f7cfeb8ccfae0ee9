/** Training worker entry: owns tfjs and hands every message to one TrainingSession. */
import type { FromWorker, ToWorker } from '../contract/protocol';
import { TrainingSession } from './session';

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}

const scope = self as unknown as WorkerScope;
const session = new TrainingSession((message) => scope.postMessage(message));
scope.onmessage = (event) => void session.handle(event.data);
