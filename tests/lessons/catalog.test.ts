import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUrl, validateConfig } from '../../src/config/fields';
import { LESSONS, READY } from '../../src/lessons/catalog';
import { pacedQuery } from '../../src/lessons/link';

const root = resolve(__dirname, '../..');
const steps = LESSONS.flatMap((lesson) => lesson.steps.map((step, index) => ({ lesson, step, index })));

/** Every id="..." written in the page's components (App.svelte and src/**\/*.svelte). */
function idsInComponents(): Set<string> {
  const ids = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.svelte')) for (const match of readFileSync(path, 'utf8').matchAll(/\bid="([a-z-]+)"/g)) ids.add(match[1]!);
    }
  };
  walk(join(root, 'src'));
  return ids;
}

describe('the lesson catalogue', () => {
  it('has at least five lessons, with unique ids, and questions unique within each', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(5);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const lesson of LESSONS) {
      const ids = lesson.steps.flatMap((s) => (s.question ? [s.question.id] : []));
      expect(new Set(ids).size, lesson.id).toBe(ids.length);
      expect(lesson.steps[0]!.settings, `${lesson.id} starts by setting up its run`).toBeDefined();
    }
  });

  it('every step’s settings parse without a note and validate, at both paces', () => {
    for (const { lesson, step, index } of steps) {
      if (!step.settings) continue;
      for (const pace of ['full', 'quick'] as const) {
        const parsed = parseUrl(pacedQuery(step.settings.query, pace));
        expect(parsed.notes, `${lesson.id} step ${index + 1} (${pace})`).toEqual([]);
        expect(validateConfig(parsed.config), `${lesson.id} step ${index + 1} (${pace})`).toEqual({});
      }
    }
  });

  it('every panel a step points to exists on the page', () => {
    const ids = idsInComponents();
    for (const { lesson, step, index } of steps) if (step.panel) expect(ids.has(step.panel), `${lesson.id} step ${index + 1}: #${step.panel}`).toBe(true);
  });

  it('every question’s choices are distinct, and its run is the lesson’s method', () => {
    for (const lesson of LESSONS) {
      const methods = new Set(lesson.steps.flatMap((s) => (s.settings ? [parseUrl(s.settings.query).config.method] : [])));
      for (const step of lesson.steps) {
        if (!step.question) continue;
        const choices = step.question.choices.map((c) => c.id);
        expect(new Set(choices).size, step.question.id).toBe(choices.length);
        expect(choices.length).toBeGreaterThanOrEqual(2);
        expect(methods.has(step.question.method), `${lesson.id}: ${step.question.id} is judged on a ${step.question.method} run`).toBe(true);
      }
    }
  });

  it('names ready teachers that ship with the page', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'public/teachers/manifest.json'), 'utf8')) as { teachers: { savedModelId: string }[] };
    const shipped = manifest.teachers.map((t) => t.savedModelId);
    expect(shipped).toEqual(expect.arrayContaining(Object.values(READY)));
    for (const { step } of steps) for (const id of parseUrl(step.settings?.query ?? '').config.savedTeacher.split(',').filter(Boolean)) expect(shipped).toContain(id);
  });
});
