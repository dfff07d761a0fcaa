import { rulesToAST } from '@casl/ability/extra';
import type { Knex } from 'knex';
import type { AppAbility } from './ability';

/**
 * How a subject's fields map to SQL: a scalar column, or an expression yielding a text[]
 * (for fields such as a user's teamIds that live in a join table).
 */
export type FieldMap = Record<string, { column: string } | { arrayExpr: string }>;

type Node = { operator: string; value: unknown; field?: string };

const COMPARATORS: Record<string, string> = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };

function fieldCondition(node: Node, fields: FieldMap): { sql: string; bindings: unknown[] } {
  const spec = node.field === undefined ? undefined : fields[node.field];
  if (!spec) {
    // A rule about a field the list cannot filter on grants nothing in SQL (fail closed).
    return { sql: 'FALSE', bindings: [] };
  }
  const list = Array.isArray(node.value) ? node.value.map(String) : [String(node.value)];
  if ('arrayExpr' in spec) {
    switch (node.operator) {
      case 'eq':
      case 'in':
        return { sql: `(${spec.arrayExpr}) && ?::text[]`, bindings: [list] };
      case 'ne':
      case 'nin':
        return { sql: `NOT ((${spec.arrayExpr}) && ?::text[])`, bindings: [list] };
      default:
        return { sql: 'FALSE', bindings: [] };
    }
  }
  const col = spec.column;
  if (node.operator === 'in') {
    return { sql: `${col}::text = ANY(?::text[])`, bindings: [list] };
  }
  if (node.operator === 'nin') {
    return { sql: `NOT (${col}::text = ANY(?::text[]))`, bindings: [list] };
  }
  const op = COMPARATORS[node.operator];
  if (!op) {
    return { sql: 'FALSE', bindings: [] };
  }
  if (node.value === null) {
    return { sql: node.operator === 'ne' ? `${col} IS NOT NULL` : node.operator === 'eq' ? `${col} IS NULL` : 'FALSE', bindings: [] };
  }
  return { sql: `${col} ${op} ?`, bindings: [node.value] };
}

function toSql(node: Node, fields: FieldMap): { sql: string; bindings: unknown[] } {
  if (node.operator === 'and' || node.operator === 'or') {
    const parts = (node.value as Node[]).map((n) => toSql(n, fields));
    if (parts.length === 0) {
      return { sql: node.operator === 'and' ? 'TRUE' : 'FALSE', bindings: [] };
    }
    const joiner = node.operator === 'and' ? ' AND ' : ' OR ';
    return { sql: `(${parts.map((p) => p.sql).join(joiner)})`, bindings: parts.flatMap((p) => p.bindings) };
  }
  if (node.operator === 'not') {
    const inner = toSql({ operator: 'and', value: node.value as Node[] }, fields);
    return { sql: `NOT ${inner.sql}`, bindings: inner.bindings };
  }
  return fieldCondition(node, fields);
}

/**
 * The SQL condition equivalent to the ability's rules for (action, subject), or null when
 * nothing at all is granted. Lists use it so rows the user may not see never leave the database.
 */
export function accessibleCondition(
  ability: AppAbility,
  action: string,
  subject: string,
  fields: FieldMap,
): { sql: string; bindings: unknown[] } | null {
  const ast = rulesToAST(ability, action, subject) as Node | null;
  return ast ? toSql(ast, fields) : null;
}

/** Narrows a knex query to the rows the ability grants; no grant at all yields no rows. */
export function whereAccessible<T extends Knex.QueryBuilder>(
  query: T,
  ability: AppAbility,
  action: string,
  subject: string,
  fields: FieldMap,
): T {
  const cond = accessibleCondition(ability, action, subject, fields);
  if (!cond) {
    return query.whereRaw('FALSE') as T;
  }
  return query.whereRaw(cond.sql, cond.bindings as Knex.RawBinding[]) as T;
}
