// Hot statements compiled once: Kysely builds an operation tree and compiles it to SQL on every
// call (~10 µs per statement here); a statement that only changes its values can skip both.
import { type Compilable, CompiledQuery, type QueryResult } from 'kysely';

const SLOT = Symbol('keel.statement-slot');

/** Stands in for the value at `index` while a statement is compiled; bound to the real value at run time. */
interface Slot {
  readonly [SLOT]: number;
}

function isSlot(value: unknown): value is Slot {
  return typeof value === 'object' && value !== null && SLOT in value;
}

/** What runs a compiled statement: a `Kysely` instance or a transaction. */
export interface StatementExecutor {
  executeQuery<Row>(query: CompiledQuery<Row>): Promise<QueryResult<Row>>;
}

/** Hands out the stand-in for the value at `index`, typed as the value it stands for. */
export type SlotOf = <T>(index: number) => T;

interface Statement {
  sql: string;
  /** Slots to fill, and values Kysely bound itself (kept as they are). */
  parameters: readonly unknown[];
}

/**
 * Statements compiled once per shape. `shape` names everything that changes the SQL text (which
 * filters are present, the sort); `values` are what changes between calls, and `build` places them
 * with `slot(i)` instead of the values themselves, so it must not look at them. Values still travel
 * as bound parameters: nothing is spliced into SQL.
 */
export class StatementCache {
  readonly #statements = new Map<string, Statement>();

  /** Shapes come from code paths, not from input; the bound is a guard against a shape key that does. */
  constructor(private readonly maxShapes = 64) {}

  async execute<Row>(
    db: StatementExecutor,
    shape: string,
    values: readonly unknown[],
    build: (slot: SlotOf) => Compilable<Row>,
  ): Promise<Row[]> {
    let statement = this.#statements.get(shape);
    if (!statement) {
      const compiled = build(<T>(index: number) => ({ [SLOT]: index }) as T).compile();
      statement = { sql: compiled.sql, parameters: compiled.parameters };
      if (this.#statements.size < this.maxShapes) this.#statements.set(shape, statement);
    }
    const parameters = statement.parameters.map((parameter) =>
      isSlot(parameter) ? values[parameter[SLOT]] : parameter,
    );
    const result = await db.executeQuery(CompiledQuery.raw(statement.sql, parameters) as CompiledQuery<Row>);
    return result.rows;
  }

  /** How many shapes are compiled (tests). */
  get size(): number {
    return this.#statements.size;
  }
}
