import { writeFile } from 'node:fs/promises';
import * as dsl from 'duckml/dsl';

const flip = dsl.container({
  name: 'flip-coin',
  image: 'alpine:3.20',
  outputs: { side: dsl.string() },
  command: (io) => ['sh', '-c', 'if [ $((RANDOM % 2)) = 0 ]; then echo heads; else echo tails; fi > "$0"', io.outputs.side],
});

const shout = dsl.component({               // a TypeScript component: runs in duckml's image
  name: 'shout',
  inputs: { text: dsl.string(), times: dsl.int({ default: 2 }) },
  outputs: { loud: dsl.string(), report: dsl.Markdown },
  run: async ({ text, times }, { report }) => {
    await writeFile(report.path, `# ${text}\n`);
    return { loud: Array(times).fill(text.toUpperCase()).join(' ') };
  },
});

export const coin = dsl.pipeline(
  { name: 'coin', description: 'Flips a coin and reacts.', params: { who: dsl.string({ default: 'duck' }) } },
  (p, { who }) => {
    const coin = p.task(flip, {}, { caching: false, retry: { maxRetryCount: 2 } });
    const said = p
      .if(coin.outputs.side.eq('heads'), (s) => ({ msg: s.task(shout, { text: dsl.fmt`heads for ${who}` }).outputs.loud }))
      .else((s) => ({ msg: s.task(shout, { text: 'tails', times: 3 }).outputs.loud }));
    const each = p.forEach([1, 2, 3], (s, n) => ({ out: s.task(shout, { text: said.outputs.msg, times: n }).outputs.loud }), { parallelism: 2 });
    return { all: each.outputs.out };        // fan-in of the loop: a list
  },
);
