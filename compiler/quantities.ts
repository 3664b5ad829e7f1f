/** Kubernetes quantities as the IR's numeric resource fields want them (KFP `_cpu_to_float`, `_memory_to_float`). */
export function cpuToFloat(cpu: string): number {
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
}
const MEMORY_UNITS: [string, number][] = [
  ['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10],
  ['E', 1e18], ['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['K', 1e3],
];
export function memoryToFloat(memory: string): number {
  for (const [unit, factor] of MEMORY_UNITS) {
    if (memory.endsWith(unit)) return unit === 'G' ? Number(memory.slice(0, -1)) : (Number(memory.slice(0, -unit.length)) * factor) / 1e9;
  }
  return Number(memory) / 1e9;
}
