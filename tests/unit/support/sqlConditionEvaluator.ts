// A tiny evaluator for the SQL conditions server/modules/authz/sql.ts emits, so tests can check
// them against CASL without a database. It understands only that restricted grammar and throws on
// anything else, and it uses SQL's three-valued logic (NULL is neither true nor false).
//
//   expr       := not ((AND not)* | (OR not)*)
//   not        := NOT not | primary
//   primary    := TRUE | FALSE | '(' expr ')' | '(' ident ')' '&&' '?' '::text[]'
//               | ident '::text' '=' ANY '(' '?' '::text[]' ')'
//               | ident IS [NOT] NULL | ident cmp '?'
//   cmp        := '=' | '<>' | '<' | '<=' | '>' | '>='

/** A row: scalar columns (text or NULL) and text[] expressions, by the name used in the FieldMap. */
export type Row = Readonly<Record<string, string | null | readonly string[]>>;

/** SQL truth: true, false, or unknown (NULL). */
export type Truth = boolean | null;

const TOKEN = /\s*(::text\[\]|::text|&&|<>|<=|>=|=|<|>|\(|\)|\?|[A-Za-z_][A-Za-z0-9_.]*)/y;
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'TRUE', 'FALSE', 'IS', 'NULL', 'ANY']);
const COMPARATORS = new Set(['=', '<>', '<', '<=', '>', '>=']);

function tokenize(sql: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < sql.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(sql);
    if (!m) {
      if (sql.slice(start).trim() === '') {
        break;
      }
      throw new Error(`unexpected SQL at ${start}: ${sql.slice(start)}`);
    }
    tokens.push(m[1]!);
  }
  return tokens;
}

const not = (a: Truth): Truth => (a === null ? null : !a);

function and(values: Truth[]): Truth {
  if (values.includes(false)) {
    return false;
  }
  return values.includes(null) ? null : true;
}

function or(values: Truth[]): Truth {
  if (values.includes(true)) {
    return true;
  }
  return values.includes(null) ? null : false;
}

function compare(op: string, left: string, right: string): boolean {
  switch (op) {
    case '=':
      return left === right;
    case '<>':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    default:
      return left >= right;
  }
}

/** Evaluates `sql` with its `?` bindings against one row. */
export function evaluateSql(sql: string, bindings: readonly unknown[], row: Row): Truth {
  const tokens = tokenize(sql);
  let pos = 0;
  let bound = 0;

  const peek = (ahead = 0): string | undefined => tokens[pos + ahead];
  const take = (expected?: string): string => {
    const token = tokens[pos];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(`expected ${expected ?? 'a token'} at token ${pos} of: ${sql}`);
    }
    pos += 1;
    return token;
  };
  const nextBinding = (): unknown => {
    take('?');
    if (bound >= bindings.length) {
      throw new Error(`more placeholders than bindings in: ${sql}`);
    }
    return bindings[bound++];
  };
  const textList = (value: unknown): string[] => {
    if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
      throw new Error(`expected a text[] binding, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const isIdent = (token: string | undefined): token is string =>
    token !== undefined && /^[A-Za-z_]/.test(token) && !KEYWORDS.has(token);
  const scalar = (name: string): string | null => {
    const value = row[name];
    if (value === undefined || Array.isArray(value)) {
      throw new Error(`${name} is not a scalar column of the row`);
    }
    return value as string | null;
  };

  function parseExpr(): Truth {
    const first = parseNot();
    const joiner = peek();
    if (joiner !== 'AND' && joiner !== 'OR') {
      return first;
    }
    const values = [first];
    while (peek() === joiner) {
      take(joiner);
      values.push(parseNot());
    }
    if (peek() === 'AND' || peek() === 'OR') {
      throw new Error(`AND and OR mixed without parentheses in: ${sql}`);
    }
    return joiner === 'AND' ? and(values) : or(values);
  }

  function parseNot(): Truth {
    if (peek() === 'NOT') {
      take('NOT');
      return not(parseNot());
    }
    return parsePrimary();
  }

  function parsePrimary(): Truth {
    const token = take();
    if (token === 'TRUE' || token === 'FALSE') {
      return token === 'TRUE';
    }
    if (token === '(') {
      const inner = peek();
      if (isIdent(inner) && peek(1) === ')' && peek(2) === '&&') {
        pos += 3;
        const values = row[inner];
        if (!Array.isArray(values)) {
          throw new Error(`${inner} is not an array expression of the row`);
        }
        const list = textList(nextBinding());
        take('::text[]');
        return values.some((v) => list.includes(v));
      }
      const value = parseExpr();
      take(')');
      return value;
    }
    if (!isIdent(token)) {
      throw new Error(`unexpected ${token} in: ${sql}`);
    }
    const value = scalar(token);
    if (peek() === '::text') {
      take('::text');
      take('=');
      take('ANY');
      take('(');
      const list = textList(nextBinding());
      take('::text[]');
      take(')');
      if (list.length === 0) {
        return false;
      }
      return value === null ? null : list.includes(value);
    }
    if (peek() === 'IS') {
      take('IS');
      const negated = peek() === 'NOT';
      if (negated) {
        take('NOT');
      }
      take('NULL');
      return negated ? value !== null : value === null;
    }
    const op = take();
    if (!COMPARATORS.has(op)) {
      throw new Error(`unexpected operator ${op} in: ${sql}`);
    }
    const right = nextBinding();
    if (typeof right !== 'string') {
      throw new Error(`expected a text binding, got ${JSON.stringify(right)}`);
    }
    return value === null ? null : compare(op, value, right);
  }

  const result = parseExpr();
  if (pos !== tokens.length) {
    throw new Error(`trailing tokens from ${pos} in: ${sql}`);
  }
  if (bound !== bindings.length) {
    throw new Error(`${bindings.length - bound} unused bindings for: ${sql}`);
  }
  return result;
}
