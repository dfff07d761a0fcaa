export const TEMPLATE_DB = 'sb_template';
export const TEST_DB_PREFIX = 'sbt_';
