/**
 * A ready teacher (public/teachers: manifest.json and its safetensors file) as the run's saved teacher, read
 * the way the page installs one: the manifest parsed by the page's parser, the file checked against its size
 * and SHA-256, read by the page's PyTorch import (importTorchCheckpoint, what the worker's readTorchModelFile
 * calls), kept under the manifest's savedModelId, and loaded through the checks of a saved teacher
 * (savedTeacherNetwork, what the worker's loadSavedTeacher calls). The run then evaluates it, never trains it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseReadyTeachers, type ReadyTeacher } from '../../src/contract/readyTeachers';
import { importTorchCheckpoint } from '../../src/models/torch/importCheckpoint';
import { savedTeacherNetwork } from '../../src/storage/worker/savedTeacher';
import type { SavedTeacherLoader } from '../../src/training/teacherSources';

export class ReadyTeacherError extends Error {
  override readonly name = 'ReadyTeacherError';
}

/** The manifest's entry for `id` (e.g. `resnet20`). */
export function findReadyTeacher(teachersDir: string, id: string): ReadyTeacher {
  const manifestFile = path.join(teachersDir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new ReadyTeacherError(`The ready teachers' manifest is missing (${manifestFile}); pass --teachers-dir.`);
  const teachers = parseReadyTeachers(JSON.parse(readFileSync(manifestFile, 'utf8')));
  const teacher = teachers.find((t) => t.id === id);
  if (!teacher) throw new ReadyTeacherError(`--teacher "${id}" is not a ready teacher of ${manifestFile} (it has ${teachers.map((t) => t.id).join(', ') || 'none'}).`);
  return teacher;
}

/** The teacher's file, refused when its size or SHA-256 is not the manifest's (a stale or damaged copy). */
function readTeacherFile(teachersDir: string, teacher: ReadyTeacher): Uint8Array {
  const file = path.join(teachersDir, teacher.file);
  if (!existsSync(file)) throw new ReadyTeacherError(`The ready teacher ${teacher.label}'s file is missing (${file}).`);
  const bytes = new Uint8Array(readFileSync(file));
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== teacher.bytes || digest !== teacher.sha256) {
    throw new ReadyTeacherError(`${file} is not the file the manifest describes (${bytes.length} bytes, SHA-256 ${digest.slice(0, 16)}…; expected ${teacher.bytes} bytes, ${teacher.sha256.slice(0, 16)}…).`);
  }
  return bytes;
}

/** Loads the ready teacher when a run asks for its savedModelId; any other id is refused. */
export function readyTeacherLoader(teachersDir: string, teacher: ReadyTeacher): SavedTeacherLoader {
  return async (id, planned, target) => {
    if (id !== teacher.savedModelId) throw new ReadyTeacherError(`The run asks for the saved teacher "${id}", but only the ready ${teacher.label} (${teacher.savedModelId}) is here.`);
    const imported = importTorchCheckpoint(readTeacherFile(teachersDir, teacher), { fileName: teacher.file, name: `Ready ${teacher.label}`, dataset: teacher.dataset });
    if (imported.model !== teacher.model) throw new ReadyTeacherError(`${teacher.file} holds a ${imported.model}, the manifest says ${teacher.model}.`);
    const record = { name: `Ready ${teacher.label}`, model: imported.model, numClasses: imported.numClasses, json: imported.json, weights: imported.weights };
    return savedTeacherNetwork(record, planned, target);
  };
}
