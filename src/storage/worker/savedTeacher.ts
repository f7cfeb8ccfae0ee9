/**
 * A model saved in the browser, loaded as a run's teacher: the record is read from IndexedDB and its
 * weights checked against the architecture and class count the run expects before it is used. A model
 * trained with other input constants than the dataset's (a PyTorch import) comes wrapped in the affine
 * that re-normalises the run's inputs to its own (models/inputNormalization.ts).
 */
import { MODEL_CATALOG } from '../../contract/modelCatalog';
import { loadModel, type SavedModelRecord } from '../modelStore';
import type { Network } from '../../models/network';
import { restoreNetwork } from '../../models/networkWeights';
import type { PlannedLearner } from '../../training/plan';
import type { SavedTeacherTarget } from '../../training/teacherSources';
import { withInputNormalization } from '../../models/inputNormalization';

export async function loadSavedTeacher(id: string, planned: PlannedLearner, target: SavedTeacherTarget, database?: string): Promise<Network> {
  const record = await loadModel(id, database);
  if (!record) throw new Error(`The saved teacher "${id}" is not in this browser (it was deleted, or saved in another browser): choose "Train a new teacher" or another saved model.`);
  return savedTeacherNetwork(record, planned, target);
}

/** A saved model's record (from the browser, or a ready teacher read by the command line) as the run's teacher, after the checks. */
export function savedTeacherNetwork(record: Pick<SavedModelRecord, 'name' | 'model' | 'numClasses' | 'json' | 'weights'>, planned: PlannedLearner, { numClasses, normalization }: SavedTeacherTarget): Network {
  if (record.model !== planned.model) {
    throw new Error(`The saved teacher "${record.name}" is a ${MODEL_CATALOG[record.model].label}, but the teacher setting is ${MODEL_CATALOG[planned.model].label}: pick the saved model again in the settings.`);
  }
  if (record.numClasses !== numClasses) throw new Error(`The saved teacher "${record.name}" predicts ${record.numClasses} classes, but this dataset has ${numClasses}.`);
  const net = restoreNetwork(record.json, record.weights, planned.key, `the saved weights of "${record.name}"`);
  return withInputNormalization(net, normalization, record.json.userDefinedMetadata.inputNormalization);
}
