import * as dsl from '../../dsl';
import { conformance } from '../support/conformance';

conformance('hello_world', () =>
  dsl.container({ name: 'echo', image: 'registry.access.redhat.com/ubi9/python-311:latest', command: ['echo'], args: ['hello world'] }),
);

conformance('container_io', () =>
  dsl.container({
    name: 'container-io',
    image: 'registry.access.redhat.com/ubi9/python-311:latest',
    inputs: { text: dsl.string() },
    outputs: { output_path: dsl.string() },
    command: (io) => ['my_program', io.inputs.text],
    args: (io) => ['--output_path', io.outputs.output_path],
  }),
);
