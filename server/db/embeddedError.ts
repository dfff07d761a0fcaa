/**
 * Why the embedded PostgreSQL could not start, as one line that says what to do. Its stack
 * is that line too: boot code and test runners print stacks, and this one is an instruction
 * for a person, not a bug to trace.
 */
export class EmbeddedDbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedDbError';
    this.stack = message;
  }
}
