import { describe, expect, it } from 'vitest';
import { BoundedSemaphore, QueueFullError } from './semaphore.js';

/** A task that runs until `finish()` is called. */
function heldTask(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    finish: () => finish(),
    run: async () => {
      log.push(`start ${name}`);
      await done;
      return name;
    },
  };
}

describe('BoundedSemaphore', () => {
  it('runs at most `concurrency` tasks at once; queued ones start in arrival order as slots free', async () => {
    const gate = new BoundedSemaphore(2, 10);
    const log: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => heldTask(log, name));
    const results = tasks.map((task) => gate.run(task.run));
    await Promise.resolve();
    expect(log).toEqual(['start a', 'start b']);
    expect([gate.inFlight, gate.queued]).toEqual([2, 2]);

    tasks[1]?.finish();
    await results[1];
    await Promise.resolve();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    expect([gate.inFlight, gate.queued]).toEqual([2, 1]);

    for (const task of tasks) task.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
  });

  it('refuses a caller at once with QueueFullError when the queue is full', async () => {
    const gate = new BoundedSemaphore(1, 1);
    const log: string[] = [];
    const first = heldTask(log, 'first');
    const second = heldTask(log, 'second');
    const running = gate.run(first.run);
    const waiting = gate.run(second.run);
    const refused = gate.run(async () => 'never');
    await expect(refused).rejects.toBeInstanceOf(QueueFullError);
    await expect(refused).rejects.toThrow('Queue is full');
    first.finish();
    second.finish();
    expect(await Promise.all([running, waiting])).toEqual(['first', 'second']);
  });

  it('a failing task frees its slot for the next caller', async () => {
    const gate = new BoundedSemaphore(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(gate.inFlight).toBe(0);
    await expect(gate.run(async () => 'next')).resolves.toBe('next');
  });
});
