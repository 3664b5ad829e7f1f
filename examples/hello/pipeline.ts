import * as dsl from 'duckml/dsl';

/** Says hello in a container: the smallest useful pipeline. */
const say = dsl.container({
  name: 'say',
  image: 'alpine:3.20',
  inputs: { text: dsl.string() },
  outputs: { said: dsl.string() },
  command: (io) => ['sh', '-c', 'echo "$0" | tee "$1"', io.inputs.text, io.outputs.said],
});

export const hello = dsl.pipeline(
  { name: 'hello', description: 'Greets someone twice.', params: { who: dsl.string({ default: 'world' }) } },
  (p, { who }) => {
    const first = p.task(say, { text: dsl.fmt`hello ${who}` });
    const again = p.task(say, { text: first.outputs.said });
    return { greeting: again.outputs.said };
  },
);
