/**
 * Meta's OpenAPI document of the WhatsApp Business Platform (v23.0), kept in the repository
 * (tests/fixtures/meta-openapi, MIT, with its licence) so that a clone tests against it with
 * nothing beside it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../server/lib/paths';

export const META_OPENAPI_FILE = path.join(projectRoot, 'tests', 'fixtures', 'meta-openapi', 'business-messaging-api_v23.0.yaml');

let parsed: unknown;

/** The parsed document, read once per process (30,000 lines of YAML); callers must not mutate it. */
export function metaOpenApiDocument(): unknown {
  // The document reuses anchors far more often than yaml's default alias limit allows.
  parsed ??= parse(readFileSync(META_OPENAPI_FILE, 'utf8'), { maxAliasCount: -1 });
  return parsed;
}
