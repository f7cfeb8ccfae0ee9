/**
 * Training worker entry: owns tfjs and hands every message to one TrainingSession, except the check page's
 * request (check.html), which runs the backend check here, on the backend the session selected.
 */
import { runBackendCheck } from './backendCheck';
import type { FromCheck, ToCheck } from '../contract/checkProtocol';
import type { FromWorker, ToWorker } from '../contract/protocol';
import { TrainingSession } from './session';

interface WorkerScope {
  postMessage(message: FromWorker | FromCheck): void;
  onmessage: ((event: MessageEvent<ToWorker | ToCheck>) => void) | null;
}

const scope = self as unknown as WorkerScope;
const session = new TrainingSession((message) => scope.postMessage(message));

async function check({ requestId, request }: ToCheck): Promise<void> {
  try {
    const summary = await runBackendCheck(request, (comparison) => scope.postMessage({ type: 'checkComparison', requestId, comparison }));
    scope.postMessage({ type: 'checkDone', requestId, summary });
  } catch (error) {
    scope.postMessage({ type: 'checkError', requestId, message: error instanceof Error ? error.message : String(error) });
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'check') void check(message);
  else void session.handle(message);
};
