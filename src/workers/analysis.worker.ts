/**
 * Analysis worker entry: runs t-SNE jobs off the main thread so the page stays responsive. Pure TypeScript
 * math only: no tfjs and nothing from the UI. Jobs interleave (each yields between chunks); a 'cancel'
 * drops its job at the next chunk boundary and nothing more is posted for it.
 */
import type { FromAnalysisWorker, ToAnalysisWorker } from '../contract/analysisProtocol';
import { runTsneJob } from './tsneJob';
import { unhandledMessage } from '../contract/exhaustive';

interface WorkerScope {
  postMessage(message: FromAnalysisWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToAnalysisWorker>) => void) | null;
}

const scope = self as unknown as WorkerScope;
/** Jobs started and neither finished nor cancelled. */
const live = new Set<number>();

/** Posts a message, handing over the embedding's buffer: every embedding posted is a fresh copy. */
function post(message: FromAnalysisWorker): void {
  scope.postMessage(message, message.type === 'error' ? [] : [message.embedding.buffer]);
}

async function runJob(request: Extract<ToAnalysisWorker, { type: 'tsne' }>): Promise<void> {
  const { jobId } = request;
  live.add(jobId);
  try {
    const done = await runTsneJob(request, post, () => !live.has(jobId));
    if (done) post(done);
  } catch (error) {
    if (live.has(jobId)) post({ type: 'error', jobId, message: error instanceof Error ? error.message : String(error) });
  } finally {
    live.delete(jobId);
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case 'tsne':
      void runJob(message);
      return;
    case 'cancel':
      live.delete(message.jobId);
      return;
    default:
      unhandledMessage(message, 'analysis worker');
  }
};
