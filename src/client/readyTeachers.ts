/** The ready teachers served beside the page (`teachers/manifest.json` and their safetensors files). */
import { parseReadyTeachers, ReadyTeachersError, type ReadyTeacher } from '../contract/readyTeachers';

/** Absolute URL of the ready teachers' folder. */
export function readyTeachersBaseUrl(): string {
  return new URL('teachers/', document.baseURI).href;
}

/** The manifest's teachers; an empty list where the build has none (a dev server without the folder). */
export async function fetchReadyTeachers(base: string = readyTeachersBaseUrl()): Promise<readonly ReadyTeacher[]> {
  const response = await fetch(new URL('manifest.json', base), { cache: 'no-cache' });
  const type = response.headers.get('content-type') ?? '';
  if (response.status === 404 || type.includes('text/html')) return [];
  if (!response.ok) throw new ReadyTeachersError(`The ready teachers could not be listed (teachers/manifest.json: HTTP ${response.status}).`);
  return parseReadyTeachers(await response.json());
}

/** The teacher's file, checked against the manifest's size and SHA-256 so a stale or damaged copy is refused. */
export async function fetchReadyTeacherFile(teacher: ReadyTeacher, base: string = readyTeachersBaseUrl()): Promise<File> {
  const response = await fetch(new URL(teacher.file, base));
  if (!response.ok) throw new ReadyTeachersError(`The ready teacher ${teacher.label} could not be fetched (teachers/${teacher.file}: HTTP ${response.status}).`);
  const bytes = await response.arrayBuffer();
  const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
  if (bytes.byteLength !== teacher.bytes || digest !== teacher.sha256) {
    throw new ReadyTeachersError(`teachers/${teacher.file} is not the file the manifest describes (${bytes.byteLength} bytes, SHA-256 ${digest.slice(0, 16)}…; expected ${teacher.bytes} bytes, ${teacher.sha256.slice(0, 16)}…).`);
  }
  return new File([bytes], teacher.file, { type: 'application/octet-stream' });
}
