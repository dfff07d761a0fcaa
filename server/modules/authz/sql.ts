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

type Sql = { sql: string; bindings: unknown[] };

/**
 * What to emit for a condition SQL cannot express: it must never widen access, so it is
 * FALSE where it grants and TRUE where it sits under a NOT (an inverted rule).
 */
const failClosed = (negated: boolean): Sql => ({ sql: negated ? 'TRUE' : 'FALSE', bindings: [] });

function fieldCondition(node: Node, fields: FieldMap, negated: boolean): Sql {
  const spec = node.field === undefined ? undefined : fields[node.field];
  if (!spec) {
    return failClosed(negated);
  }
  const isList = Array.isArray(node.value);
  const list = isList ? (node.value as unknown[]).map(String) : [String(node.value)];
  if ('arrayExpr' in spec) {
    // CASL compares an array field to a list by equality, not overlap; only single values map to SQL.
    if ((node.operator === 'eq' || node.operator === 'ne') && isList) {
      return failClosed(negated);
    }
    switch (node.operator) {
      case 'eq':
      case 'in':
        return { sql: `(${spec.arrayExpr}) && ?::text[]`, bindings: [list] };
      case 'ne':
      case 'nin':
        return { sql: `NOT ((${spec.arrayExpr}) && ?::text[])`, bindings: [list] };
      default:
        return failClosed(negated);
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
  if (!op || isList) {
    return failClosed(negated);
  }
  if (node.value === null) {
    if (node.operator === 'ne') {
      return { sql: `${col} IS NOT NULL`, bindings: [] };
    }
    return node.operator === 'eq' ? { sql: `${col} IS NULL`, bindings: [] } : failClosed(negated);
  }
  return { sql: `${col} ${op} ?`, bindings: [node.value] };
}

function toSql(node: Node, fields: FieldMap, negated = false): Sql {
  if (node.operator === 'and' || node.operator === 'or') {
    const parts = (node.value as Node[]).map((n) => toSql(n, fields, negated));
    if (parts.length === 0) {
      return { sql: node.operator === 'and' ? 'TRUE' : 'FALSE', bindings: [] };
    }
    const joiner = node.operator === 'and' ? ' AND ' : ' OR ';
    return { sql: `(${parts.map((p) => p.sql).join(joiner)})`, bindings: parts.flatMap((p) => p.bindings) };
  }
  if (node.operator === 'not') {
    const inner = toSql({ operator: 'and', value: node.value as Node[] }, fields, !negated);
    return { sql: `NOT ${inner.sql}`, bindings: inner.bindings };
  }
  return fieldCondition(node, fields, negated);
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
): Sql | null {
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
