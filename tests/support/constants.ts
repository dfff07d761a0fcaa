export const TEMPLATE_DB = 'sb_template';
export const TEST_DB_PREFIX = 'sbt_';

/** Port 9 (discard) on loopback: refused at once, so a test number's Graph calls fail fast and go nowhere. */
export const UNREACHABLE_GRAPH_ORIGIN = 'http://127.0.0.1:9';
