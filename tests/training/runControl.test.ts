import { describe, expect, it } from 'vitest';
import { RunControl, RunStopped } from '../../src/training/runControl';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('RunControl', () => {
  it('pauses before the next batch, steps one batch at a time, resumes and stops', async () => {
    const states: string[] = [];
    const control = new RunControl((s) => states.push(s));
    let batches = 0;
    const loop = (async () => {
      for (;;) {
        await control.gate();
        batches++;
        await tick();
      }
    })().catch((e) => e);

    await tick();
    control.pause();
    expect(states).toEqual([]); // asked, not yet halted: the batch in flight finishes first
    await tick();
    await tick();
    expect(states).toEqual(['paused']);
    const atPause = batches;
    await tick();
    await tick();
    expect(batches).toBe(atPause);

    control.step();
    await tick();
    await tick();
    expect(batches).toBe(atPause + 1);

    control.resume();
    await tick();
    await tick();
    expect(batches).toBeGreaterThan(atPause + 1);

    control.stop();
    expect(await loop).toBeInstanceOf(RunStopped);
    expect(states).toEqual(['paused', 'running', 'stopped']);
  });

  it('a pause taken back before the loop reaches the gate announces nothing', async () => {
    const states: string[] = [];
    const control = new RunControl((s) => states.push(s));
    control.pause();
    control.resume();
    await control.gate();
    expect(states).toEqual([]);
  });

  it('stop while paused ends the loop at once', async () => {
    const control = new RunControl();
    control.pause();
    const waiting = control.gate().catch((e) => e);
    control.stop();
    expect(await waiting).toBeInstanceOf(RunStopped);
  });
});
