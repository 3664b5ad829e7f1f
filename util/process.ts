/** Whether a process id is alive (EPERM means it exists but belongs to someone else). Used for lock and leftover checks. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
