import { createMongoAbility } from '@casl/ability';
import { expect } from 'chai';
import { conversationSubject, readsBeyondQueue, upsertConversation, type InboxFilters } from '../../admin-ui/src/inbox';
import type { ConversationSummary } from '../../admin-ui/src/types';

const ME = '00000000-0000-7000-8000-000000000001';
const OTHER = '00000000-0000-7000-8000-000000000002';

const ability = (rules: Array<Record<string, unknown>>) => createMongoAbility(rules as never);

function conversation(id: string, assigneeId: string | null, at = '2026-12-01T10:00:00.000Z'): ConversationSummary {
  return {
    id,
    status: 'open',
    channel: { id: 'c1', name: 'Sandbox', displayNumber: '+1 555 010 0001' },
    contact: { id: 'k1', waId: '33600000000', phoneMasked: false, profileName: 'Lou', country: 'FR', restricted: false },
    assignee: assigneeId ? { id: assigneeId, name: 'Someone' } : null,
    teamId: null,
    lastMessageAt: at,
    lastMessagePreview: 'Bonjour',
    lastMessageDirection: 'in',
    lastMessageAuthor: null,
    windowExpiresAt: null,
    unreadCount: 0,
    waitingSince: at,
  };
}

describe('the inbox views a role is offered (admin-ui/src/inbox.ts)', () => {
  it('offers All to a role that reads every conversation, whether or not it may assign', () => {
    expect(readsBeyondQueue(ability([{ action: 'read', subject: 'Conversation' }]), ME)).to.equal(true);
    expect(readsBeyondQueue(ability([{ action: 'manage', subject: 'all' }]), ME)).to.equal(true);
  });

  it("offers All to a role that reads a team's or a number's conversations", () => {
    expect(readsBeyondQueue(ability([{ action: 'read', subject: 'Conversation', conditions: { teamId: { $in: ['t1'] } } }]), ME)).to.equal(true);
    expect(readsBeyondQueue(ability([{ action: 'read', subject: 'Conversation', conditions: { assigneeId: ME, channelId: 'c1' } }]), ME)).to.equal(true);
  });

  it("does not offer All to a role that reads only its own and the queue's (the built-in agent)", () => {
    const agent = ability([
      { action: 'read', subject: 'Conversation', conditions: { assigneeId: ME } },
      { action: 'read', subject: 'Conversation', conditions: { assigneeId: null } },
      { action: 'claim', subject: 'Conversation', conditions: { assigneeId: null } },
    ]);
    expect(readsBeyondQueue(agent, ME)).to.equal(false);
    expect(readsBeyondQueue(ability([{ action: 'read', subject: 'Conversation', inverted: true }]), ME)).to.equal(false);
    expect(readsBeyondQueue(ability([]), ME)).to.equal(false);
  });

  it("checks an action against the conversation's own fields", () => {
    const agent = ability([{ action: 'resolve', subject: 'Conversation', conditions: { assigneeId: ME } }]);
    expect(agent.can('resolve', conversationSubject(conversation('a', ME)))).to.equal(true);
    expect(agent.can('resolve', conversationSubject(conversation('b', null)))).to.equal(false);
    expect(agent.can('resolve', conversationSubject(conversation('c', OTHER)))).to.equal(false);
  });
});

describe('the open conversation in the list (upsertConversation)', () => {
  const mine: InboxFilters = { view: 'mine', channelId: '', status: '', q: '' };

  it('never adds an open conversation that is not the viewer\'s to Mine (opened by its link)', () => {
    const list = [conversation('a', ME)];
    const next = upsertConversation(list, conversation('b', null, '2026-12-01T11:00:00.000Z'), { filters: mine, meId: ME, keepId: 'b' });
    expect(next.map((c) => c.id)).to.deep.equal(['a']);
  });

  it('keeps the open conversation where it is when it stops matching (unassigned while being read)', () => {
    const list = [conversation('a', ME), conversation('b', ME, '2026-12-01T09:00:00.000Z')];
    const next = upsertConversation(list, conversation('b', null, '2026-12-01T09:00:00.000Z'), { filters: mine, meId: ME, keepId: 'b' });
    expect(next.map((c) => c.id)).to.deep.equal(['a', 'b']);
    const closed = upsertConversation(list, conversation('b', null, '2026-12-01T09:00:00.000Z'), { filters: mine, meId: ME, keepId: null });
    expect(closed.map((c) => c.id)).to.deep.equal(['a']);
  });
});
