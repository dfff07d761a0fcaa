import type { Config } from './config';
import type { Clock } from './lib/clock';
import type { Db } from './db/knex';
import type { Logger } from './lib/logger';
import type { Metrics } from './lib/metrics';
import type { AuditLog } from './modules/audit/auditLog';
import type { SessionStore } from './modules/identity/sessions';
import type { ChannelDirectory } from './modules/channels/credentials';
import type { EgressPolicy } from './modules/channels/egress';
import type { MediaStore } from './modules/media/store';
import type { LiveNotice } from './modules/inbox/liveNotices';
import type { Lexicon } from './modules/lexicon/screen';
import type { IntegrationHttp } from './modules/integrations/caller';
import type { AutoReplies } from './modules/autoreply/runner';
import type { LookupRunner } from './modules/autoreply/lookup';

/** What commands and routes are given: built once per process, passed explicitly. */
export type Services = {
  config: Config;
  db: Db;
  log: Logger;
  /** The application's calendar time (received times, partition months); tests move it. */
  clock: Clock;
  metrics: Metrics;
  audit: AuditLog;
  sessions: SessionStore;
  /** AES-256-GCM key for secrets at rest; never stored in the database. */
  masterKey: Buffer;
  /** Decrypted channel credentials, cached; invalidated on channel changes. */
  channels: ChannelDirectory;
  media: MediaStore;
  /** Where a number's token may go: Graph API base URLs and media download hosts. */
  egress: EgressPolicy;
  /** Called after commit with inbound media ids to download now (the web role downloads at once). */
  onMediaPending: (mediaIds: string[]) => void;
  /** Sends a read receipt for a wamid on a channel, after commit, best effort. */
  readReceipts: (channelId: string, wamid: string) => void;
  /** A template of this WABA changed status: refresh the local copy (components) from the Graph API. */
  onTemplatesChanged: (wabaId: string) => void;
  /** Publishes live notices (SSE) after their data is committed. */
  publish: (notices: LiveNotice[]) => void;
  /** The outbound lexicon: compiled terms (recompiled when they change), outbound checks, inbound scan. */
  lexicon: Lexicon;
  /** Wakes the sender lane of a channel when new outbox rows are committed. */
  onOutboxQueued: (channelId: string) => void;
  /** Where bot lookups may call (https to public hosts; loopback only when allowed) and their connection pools. */
  integrations: IntegrationHttp;
  /** Auto-replies: compiled keyword rules and the answers to inbound messages (after commit). */
  autoReplies: AutoReplies;
  /** Runs a rule's integration lookup (the integrations module's runner; none by default). */
  lookup: LookupRunner;
  /** After a commit that may let the router assign something: a new or reopened conversation, freed capacity. */
  onRoutingNeeded: () => void;
};
