import assert from "node:assert/strict";
import { EventQueue } from "../lib/engine/event_queue.ts";
import { IntFifo } from "../lib/engine/fifo.ts";
import { RandomStream } from "../lib/engine/random.ts";

Deno.test("event queue pops in time order, ties in insertion order", () => {
  const q = new EventQueue(2); // small, so it must grow
  const rng = new RandomStream(3, "test");
  const pushed: [number, number][] = [];
  for (let i = 0; i < 5000; i++) {
    // Coarse times make many ties.
    const t = Math.floor(rng.next() * 50);
    q.push(t, i % 4, i);
    pushed.push([t, i]);
  }
  pushed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [t, i] of pushed) {
    assert.ok(q.pop());
    assert.equal(q.time, t);
    assert.equal(q.data, i);
    assert.equal(q.kind, i % 4);
  }
  assert.equal(q.pop(), false);
  assert.equal(q.size, 0);
});

Deno.test("event queue interleaves pushes and pops correctly", () => {
  const q = new EventQueue();
  q.push(5, 0, 1);
  q.push(1, 0, 2);
  assert.ok(q.pop());
  assert.equal(q.data, 2);
  q.push(5, 0, 3); // same time as data 1, scheduled later: pops after it
  q.push(3, 0, 4);
  const order: number[] = [];
  while (q.pop()) order.push(q.data);
  assert.deepEqual(order, [4, 1, 3]);
});

Deno.test("FIFO keeps order across growth and wrap-around", () => {
  const f = new IntFifo(2);
  const model: number[] = [];
  const rng = new RandomStream(9, "fifo");
  for (let i = 0; i < 10000; i++) {
    if (rng.next() < 0.6) {
      f.push(i);
      model.push(i);
    } else {
      assert.equal(f.shift(), model.length ? model.shift() : -1);
    }
    assert.equal(f.size, model.length);
  }
});

Deno.test("random streams: reproducible, independent by name, uniform", () => {
  const a = new RandomStream(42, "arrivals");
  const b = new RandomStream(42, "arrivals");
  const c = new RandomStream(42, "prompt_tokens");
  const d = new RandomStream(43, "arrivals");
  let same = 0, equalOther = 0, equalSeed = 0, sum = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const x = a.next();
    if (x === b.next()) same++;
    if (x === c.next()) equalOther++;
    if (x === d.next()) equalSeed++;
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.equal(same, n);
  assert.equal(equalOther, 0);
  assert.equal(equalSeed, 0);
  // Mean of n uniforms: SE = sqrt(1/12 / n); allow 4 SE.
  assert.ok(Math.abs(sum / n - 0.5) < 4 * Math.sqrt(1 / 12 / n));
});
