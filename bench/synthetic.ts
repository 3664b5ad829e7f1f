/**
 * Synthetic pipelines of N tasks in four shapes, for the compile benchmark: a chain, a wide
 * fan-out/fan-in, chained conditions, and loops with fan-in.
 */
import * as dsl from '../dsl';

const step = dsl.container({
  name: 'step',
  image: 'alpine:3.20',
  inputs: { x: dsl.string(), n: dsl.int({ default: 0 }) },
  outputs: { y: dsl.string(), data: dsl.Dataset },
  command: (io) => ['sh', '-c', 'echo "$0" > "$1"', io.inputs.x, io.outputs.y],
});
const gather = dsl.container({ name: 'gather', image: 'alpine:3.20', inputs: { xs: dsl.list() }, outputs: { y: dsl.string() } });

export type Shape = 'chain' | 'fanout' | 'conditions' | 'loops';

export function syntheticPipeline(shape: Shape, tasks: number) {
  return dsl.pipeline({ name: `bench-${shape}-${tasks}`, params: { seed: dsl.string({ default: 's' }) } }, (p, { seed }) => {
    if (shape === 'chain') {
      let prev = p.task(step, { x: seed });
      for (let i = 1; i < tasks; i++) prev = p.task(step, { x: prev.outputs.y, n: i });
    } else if (shape === 'fanout') {
      const src = p.task(step, { x: seed });
      for (let i = 2; i < tasks; i++) p.task(step, { x: src.outputs.y, n: i });
      p.task(step, { x: dsl.fmt`${src.outputs.y}-done` });
    } else if (shape === 'conditions') {
      // Each condition holds 4 tasks; conditions nest two deep and chain through outputs.
      let prev = p.task(step, { x: seed });
      let made = 1;
      while (made < tasks) {
        const gate = prev;
        let last = prev;
        p.if(gate.outputs.y.ne('stop'), (s) => {
          const a = s.task(step, { x: gate.outputs.y });
          s.if(a.outputs.y.eq('go'), (s2) => {
            const b = s2.task(step, { x: a.outputs.y });
            s2.task(step, { x: dsl.fmt`${b.outputs.y}/${seed}` });
          });
          last = s.task(step, { x: a.outputs.y });
        });
        made += 4;
        prev = p.task(step, { x: seed, n: made }, { after: [last.name === gate.name ? gate : gate] });
        made += 1;
      }
    } else {
      // Loops of 8 tasks each over a static list, fanned in at the top.
      let made = 0;
      let k = 0;
      while (made < tasks) {
        const loop = p.forEach([1, 2, 3], (s, item) => {
          let t = s.task(step, { x: seed, n: item });
          for (let i = 1; i < 7; i++) t = s.task(step, { x: t.outputs.y, n: item });
          return { y: t.outputs.y };
        });
        p.task(gather, { xs: loop.outputs.y });
        made += 8;
        k++;
      }
      void k;
    }
  });
}

/** The pipeline's task count as compiled (all DAGs), to report exact sizes. */
export function countTasks(spec: { root: { dag?: { tasks: object } }; components: Record<string, { dag?: { tasks: object } }> }): number {
  let n = Object.keys(spec.root.dag?.tasks ?? {}).length;
  for (const c of Object.values(spec.components)) n += Object.keys(c.dag?.tasks ?? {}).length;
  return n;
}
