// Retention end to end, through the API a compliance officer uses: three years of messages on
// two numbers, per-number periods (the longest wins), a legal hold inside an otherwise expired
// month, media files, the audit event of the run, and locked policies.
import { expect } from 'chai';
import { createDb } from '../../server/db/knex';
import { retention } from '../../server/jobs/retention';
import { JOBS } from '../../server/jobs/worker';
import { RUN_LOCK } from '../../server/modules/retention/run';
import { newId } from '../../server/lib/ids';
import { maintainMessagePartitions } from '../../server/modules/inbox/partitions';
import { mediaKey } from '../../server/modules/media/store';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { insertMessage, makeThread, monthsBefore, type Thread } from '../support/retention';
import { addChannel } from '../support/whatsapp';

const DAY_MS = 86_400_000;

describe('retention: three years of messages, per-number periods, holds and locks', () => {
  let app: TestApp;
  let admin: ApiClient;
  let officer: { id: string; email: string; client: ApiClient };
  let a: Thread;
  let b: Thread;
  let quiet: Thread;
  const now = new Date();
  const heldMonth = 30;
  let heldIds: string[];
  let mediaFiles: string[];
  let beforeRun: Array<{ id: string; channel_id: string; created_at: Date }>;

  const db = () => app.runtime.services.db;
  const partitionOf = (at: Date) => `messages_${at.getUTCFullYear()}_${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
  const partitionNames = async () =>
    new Set<string>((await db().raw(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'messages'::regclass`)).rows.map((r: { name: string }) => r.name));
  const put = (c: ApiClient, body: unknown) => c.request('PUT', '/api/v1/retention/policies', body);
  const policyId = async (dataClass: string, channelId: string | null) =>
    ((await officer.client.get('/api/v1/retention/policies')).body.items as Array<{ id: string; dataClass: string; channelId: string | null }>)
      .find((p) => p.dataClass === dataClass && p.channelId === channelId)!.id;

  async function mediaMessage(t: Thread, at: Date): Promise<string> {
    const id = newId();
    const key = mediaKey(id, at);
    await app.runtime.services.media.put(key, Buffer.from(`bytes of ${id}`));
    await db()('media').insert({ id, channel_id: t.channelId, direction: 'in', mime_type: 'image/jpeg', size: 10, storage_key: key, created_at: at });
    await insertMessage(db(), t, at, { mediaId: id });
    return key;
  }

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    officer = await app.userWithRoles(['compliance-officer']);
    const channelA = await addChannel(admin);
    const channelB = await addChannel(admin);
    a = await makeThread(db(), channelA.id, '33611110001');
    b = await makeThread(db(), channelB.id, '33611110002');
    heldIds = [];
    for (let m = 0; m < 36; m += 1) {
      await insertMessage(db(), a, monthsBefore(now, m, 3), { wamid: `wamid.a3.${m}` });
      const a15 = await insertMessage(db(), a, monthsBefore(now, m, 15));
      await insertMessage(db(), b, monthsBefore(now, m, 15));
      if (m === heldMonth) {
        heldIds.push(a15);
      }
    }
    // One file in a month removed row by row (A's part expired, B's not), one in a month dropped whole.
    mediaFiles = [await mediaMessage(a, monthsBefore(now, 20, 10)), await mediaMessage(b, monthsBefore(now, 33, 10))];
    // A conversation last active 20 months ago: its list preview quotes a message that expires.
    quiet = await makeThread(db(), channelA.id, '33611110003');
    await insertMessage(db(), quiet, monthsBefore(now, 20, 12), { text: 'the quiet customer wrote this' });
    await db()('conversations').where({ id: quiet.conversationId }).update({ last_message_at: monthsBefore(now, 20, 12), last_message_preview: 'the quiet customer wrote this' });
    await db()('conversations').where({ id: a.conversationId }).update({ last_message_at: monthsBefore(now, 0, 3), last_message_preview: 'a recent message' });
    await maintainMessagePartitions(db(), now);
    beforeRun = await db()('messages').select('id', 'channel_id', 'created_at');
  });
  after(async () => app.stop());

  it('lets the compliance officer set periods (a number may only lengthen its default) and refuses agents', async () => {
    expect((await put(officer.client, { dataClass: 'messages', channelId: null, days: 365 })).status).to.equal(200);
    expect((await put(officer.client, { dataClass: 'messages', channelId: b.channelId, days: 730 })).status).to.equal(200);
    // Shorter than the default: the default (the longest applicable) still applies to A.
    expect((await put(officer.client, { dataClass: 'messages', channelId: a.channelId, days: 200 })).status).to.equal(200);
    expect((await put(officer.client, { dataClass: 'messages', channelId: null, days: 12 })).body.error.id).to.equal('validation_failed');
    expect((await put(officer.client, { dataClass: 'audit', channelId: a.channelId, days: 400 })).body.error.id).to.equal('validation_failed');
    const agent = await app.userWithRoles(['agent']);
    expect((await agent.client.get('/api/v1/retention/policies')).status).to.equal(403);
    expect((await put(agent.client, { dataClass: 'messages', channelId: null, days: 40 })).status).to.equal(403);
  });

  it('places a hold on a contact over one old month; it is listed with what it covers', async () => {
    const from = monthsBefore(now, heldMonth, 1);
    const to = monthsBefore(now, heldMonth - 1, 1);
    const res = await officer.client.post('/api/v1/legal-holds', {
      caseRef: 'CASE-2026-17', reason: 'Litigation about one customer', scope: { contactIds: [a.contactId], from: from.toISOString(), to: to.toISOString() },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    // Both of A's messages of that month are covered (the 3rd and the 15th).
    expect(res.body.hold.coveredMessages).to.equal(2);
    expect(res.body.hold.scope.contacts[0].label).to.contain('Customer 0001');
    heldIds = (await db()('messages').where({ contact_id: a.contactId }).where('created_at', '>=', from).where('created_at', '<', to).select('id')).map((r) => r.id);
    expect(heldIds).to.have.length(2);
  });

  it('previews, per number, exactly what the run then removes; only what has expired goes', async () => {
    const held = new Set(heldIds);
    const cutoff = { [a.channelId]: now.getTime() - 365 * DAY_MS, [b.channelId]: now.getTime() - 730 * DAY_MS };
    const expired = beforeRun.filter((m) => m.created_at.getTime() < cutoff[m.channel_id]! && !held.has(m.id));
    const expected = { [a.channelId]: expired.filter((m) => m.channel_id === a.channelId).length, [b.channelId]: expired.filter((m) => m.channel_id === b.channelId).length };
    expect(expected[a.channelId]).to.be.greaterThan(20);
    expect(expected[b.channelId]).to.be.greaterThan(5);

    const preview = await officer.client.get('/api/v1/retention/preview');
    expect(preview.status).to.equal(200);
    const lines = preview.body.lines as Array<{ dataClass: string; channelId: string | null; count: number }>;
    for (const channelId of [a.channelId, b.channelId]) {
      expect(lines.find((l) => l.dataClass === 'messages' && l.channelId === channelId)?.count, channelId).to.equal(expected[channelId]);
    }

    const run = await officer.client.post('/api/v1/retention/runs');
    expect(run.status, JSON.stringify(run.body)).to.equal(201);
    expect(run.body.run.counts.messages.byChannel).to.deep.equal(expected);

    const left = await db()('messages').select('id', 'channel_id', 'created_at');
    const expiredIds = new Set(expired.map((m) => m.id));
    expect(left.map((m) => m.id).sort()).to.deep.equal(beforeRun.filter((m) => !expiredIds.has(m.id)).map((m) => m.id).sort());
    // Their wamid index went with them.
    expect((await db()('message_wamids').whereIn('message_id', [...expiredIds])).length).to.equal(0);
    // The quiet conversation's preview expired with its message; a live one keeps its own.
    expect((await db()('conversations').where({ id: quiet.conversationId }).first()).last_message_preview).to.equal(null);
    expect((await db()('conversations').where({ id: a.conversationId }).first()).last_message_preview).to.equal('a recent message');
    expect(run.body.run.counts.previewsCleared).to.equal(1);
    // A second run finds nothing left to do.
    expect((await officer.client.post('/api/v1/retention/runs')).body.run.counts.messages.total).to.equal(0);
  });

  it('keeps held rows in a month otherwise expired everywhere: that month is not dropped, the others are', async () => {
    const names = await partitionNames();
    expect(names.has(partitionOf(monthsBefore(now, heldMonth)))).to.equal(true);
    expect((await db()('messages').whereIn('id', heldIds)).length).to.equal(2);
    const heldMonthRows = await db()('messages').where('created_at', '>=', monthsBefore(now, heldMonth, 1)).where('created_at', '<', monthsBefore(now, heldMonth - 1, 1));
    expect(heldMonthRows.map((r) => r.id).sort()).to.deep.equal([...heldIds].sort());
    for (const m of [26, 28, 33, 35]) {
      expect(names.has(partitionOf(monthsBefore(now, m))), `month -${m} dropped`).to.equal(false);
    }
    // Each removed media file is gone from the store.
    for (const key of mediaFiles) {
      let missing = false;
      await app.runtime.services.media.open(key).catch(() => { missing = true; });
      expect(missing, key).to.equal(true);
    }
  });

  it('audits each run with its counts (ids and numbers, no message text)', async () => {
    const events = await db()('audit_events').where({ action: 'retention.run' }).orderBy('seq');
    expect(events).to.have.length(2);
    const details = events[0]!.details;
    expect(details.trigger).to.equal('request');
    expect(details.messages.total).to.be.greaterThan(25);
    expect(details.messages.byChannel[a.channelId]).to.be.a('number');
    expect(details.droppedPartitions).to.include(partitionOf(monthsBefore(now, 33)));
    expect(details.droppedPartitions).not.to.include(partitionOf(monthsBefore(now, heldMonth)));
    expect(details.mediaFilesRemoved).to.equal(2);
    expect(JSON.stringify(details)).not.to.contain('message of');
    const runs = await officer.client.get('/api/v1/retention/runs');
    expect(runs.body.items[1].counts.messages.total).to.equal(details.messages.total);
  });

  it('after the hold is released, the held rows go at the next run; the release is audited', async () => {
    const hold = (await officer.client.get('/api/v1/legal-holds')).body.items[0];
    const agent = await app.userWithRoles(['agent']);
    expect((await agent.client.post(`/api/v1/legal-holds/${hold.id}/release`, { reason: 'no' })).status).to.equal(403);
    const released = await officer.client.post(`/api/v1/legal-holds/${hold.id}/release`, { reason: 'Case closed' });
    expect(released.status).to.equal(200);
    expect(released.body.hold.releasedBy).to.equal(officer.email);
    expect((await officer.client.post(`/api/v1/legal-holds/${hold.id}/release`, { reason: 'again' })).body.error.id).to.equal('conflict');
    const audited = await db()('audit_events').where({ action: 'legal_hold.released', subject_id: hold.id });
    expect(audited).to.have.length(1);
    await officer.client.post('/api/v1/retention/runs');
    expect((await db()('messages').whereIn('id', heldIds)).length).to.equal(0);
    expect((await partitionNames()).has(partitionOf(monthsBefore(now, heldMonth)))).to.equal(false);
  });

  it('a locked policy refuses shortening and removal, even for an admin and even in SQL; it still lengthens', async () => {
    const id = await policyId('messages', b.channelId);
    const locked = await officer.client.post(`/api/v1/retention/policies/${id}/lock`);
    expect(locked.status).to.equal(200);
    expect(locked.body.policy.locked).to.equal(true);

    const shorter = await put(admin, { dataClass: 'messages', channelId: b.channelId, days: 400 });
    expect(shorter.status).to.equal(409);
    expect(shorter.body.error.id).to.equal('retention_policy_locked');
    const removed = await admin.delete(`/api/v1/retention/policies/${id}`);
    expect(removed.body.error.id).to.equal('retention_policy_locked');
    const denied = await db()('audit_events').where({ action: 'access.denied', subject_type: 'RetentionPolicy', subject_id: id });
    expect(denied).to.have.length(2);

    const longer = await put(admin, { dataClass: 'messages', channelId: b.channelId, days: 800 });
    expect(longer.status).to.equal(200);
    expect(longer.body.policy.days).to.equal(800);

    for (const url of [app.databaseUrl, app.ownerUrl]) {
      const direct = createDb(url, 1);
      try {
        const update = await direct.raw('UPDATE retention_policies SET days = 100 WHERE id = ?', [id]).catch((err: { code: string }) => err);
        expect((update as { code?: string }).code, url).to.equal('23000');
        const unlock = await direct.raw('UPDATE retention_policies SET locked_at = NULL WHERE id = ?', [id]).catch((err: { code: string }) => err);
        expect((unlock as { code?: string }).code).to.equal('23000');
        const del = await direct.raw('DELETE FROM retention_policies WHERE id = ?', [id]).catch((err: { code: string }) => err);
        expect((del as { code?: string }).code).to.equal('23000');
      } finally {
        await direct.destroy();
      }
    }
    expect((await db()('retention_policies').where({ id }).first()).days).to.equal(800);
  });

  it('runs nightly as a scheduled job of the worker, audited as the system; a run while another holds the lock is refused', async () => {
    const job = JOBS.find((j) => j.name === 'retention.run');
    expect(job?.cron).to.equal('17 3 * * *');
    await retention.perform(app.runtime.services, {});
    const scheduled = await db()('audit_events').where({ action: 'retention.run', actor_type: 'system' });
    expect(scheduled.map((e) => e.details.trigger)).to.deep.equal(['schedule']);

    // Another process mid-run holds the run lock: "run now" answers 409 and records nothing.
    const other = createDb(app.databaseUrl, 1);
    try {
      await other.transaction(async (trx) => {
        await trx.raw('SELECT pg_advisory_xact_lock(?)', [RUN_LOCK]);
        const refused = await officer.client.post('/api/v1/retention/runs');
        expect(refused.status).to.equal(409);
        expect(refused.body.error.id).to.equal('conflict');
      });
    } finally {
      await other.destroy();
    }
    expect((await officer.client.post('/api/v1/retention/runs')).status).to.equal(201);
  });
});
